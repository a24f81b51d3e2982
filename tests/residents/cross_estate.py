"""Residents' public pages live in repairs/ and community/ now; their exemption stays here
with the rest of what residents see. The resident files' pages and API, asked for by a user of
another estate, answer 404."""

from tests.cross_estate import exempt, register
from tests.factories import make_staff

_PUBLIC = (
    "public pages keyed by the estate code in the URL; another estate's tracking code gives the "
    "same 404 (tests/repairs/test_public.py::test_wrong_malformed_and_foreign_tracking_codes_are_the_same_404)"
)
for _name in ("report", "home", "poster", "my_requests", "track", "rate", "not_solved"):
    exempt(f"public:{_name}", _PUBLIC)


def _resident(estate):
    from tests.residents.factories import make_resident

    return {"resident_id": make_resident(estate).pk}


def _job(estate):
    from residents.models import ImportJob

    job = ImportJob.objects.create(
        estate=estate, by=make_staff(estate, "manager"), status="checked"
    )
    return {"job_id": job.pk}


register("residents:detail", _resident, methods=("GET", "POST"))
register("residents:edit", _resident, methods=("GET", "POST"))
register("residents:import_job", _job)
register("residents:import_confirm", _job, methods=("POST",))
register("api:resident_detail", _resident)
register("api:resident_update", _resident, methods=("PATCH",), data={"notes": "x"})
