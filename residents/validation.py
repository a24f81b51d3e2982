"""Checks of what a file holds, beyond the shared phone and ID checks of estate.validators:
documents of other kinds (passports, Hong Kong/Macao/Taiwan permits) and licence plates,
validated loosely by their format since no check digit is published for them."""

import re

from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.validators import normalize_id_number, normalize_mobile

# Passports: 5-17 letters/digits. Permits: a letter (H/M for Hong Kong/Macao) or digits
# followed by 8-10 digits; Taiwan permits 8 digits (older) or 'T' + 8 digits.
_DOCUMENT_FORMATS = {
    "passport": re.compile(r"^[A-Z0-9]{5,17}$"),
    "hk_macao": re.compile(r"^[HMC][0-9]{8,10}$"),
    "taiwan": re.compile(r"^(T?[0-9]{8}|[0-9]{10})$"),
}
# A mainland plate: province character, a letter, then 5 (or 6 for new-energy) letters/digits;
# also the "使/领" diplomatic and "警/学/挂" suffixes, kept loose.
_PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fa5]?$")


def normalize_document(kind: str, value: str | None, *, field: str = "id_number") -> str:
    """The document number of ``kind``, normalized; '' when empty. National ID cards are
    checked with GB 11643's check digit, other kinds by format."""
    value = "".join((value or "").split()).upper()
    if not value:
        return ""
    if kind == "national_id":
        return normalize_id_number(value, field=field)
    pattern = _DOCUMENT_FORMATS.get(kind)
    if pattern is None:
        raise DomainError("invalid", _("Unknown document kind."), field="id_kind")
    if not pattern.match(value):
        raise DomainError(
            "invalid",
            _("This number does not look like a %(kind)s number.") % {"kind": _kind_label(kind)},
            field=field,
        )
    return value


def _kind_label(kind: str) -> str:
    from residents.models import Resident

    return str(Resident.IdKind(kind).label)


def normalize_plate(value: str | None, *, field: str = "vehicles") -> str:
    value = "".join((value or "").split()).upper().replace("·", "").replace("-", "")
    if not _PLATE.match(value):
        raise DomainError(
            "invalid",
            _("%(p)s is not a licence plate (e.g. 沪A12345 or 粤B D12345).") % {"p": value[:20]},
            field=field,
        )
    return value


def normalize_optional_mobile(value: str | None, *, field: str) -> str:
    return normalize_mobile(value, field=field) if (value or "").strip() else ""
