"""Residents' public pages live in repairs/ and community/ now; their exemption stays here
with the rest of what residents see."""

from tests.cross_estate import exempt

_PUBLIC = (
    "public pages keyed by the estate code in the URL; another estate's tracking code gives the "
    "same 404 (tests/repairs/test_public.py::test_wrong_malformed_and_foreign_tracking_codes_are_the_same_404)"
)
for _name in ("report", "home", "poster", "my_requests", "track", "rate", "not_solved"):
    exempt(f"public:{_name}", _PUBLIC)
