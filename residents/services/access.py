"""Showing a full phone or ID number: only for roles that may, and always logged."""

from django.utils.translation import gettext as _

from estate import privacy, scoping
from estate.errors import DomainError
from residents import permissions as perm
from residents.models import Resident

REVEALABLE = {"phone": "phone", "id_number": "id_number", "emergency_phone": "emergency_phone"}


def resident_reveal(*, resident: Resident, field: str, user, request=None) -> str:
    """The clear value of ``field`` for a role allowed to see it (managers and admins), written
    to the access log with who, when, which record, which field and the page or API call."""
    if field not in REVEALABLE:
        raise DomainError("invalid", _("This field cannot be shown."), field="reveal")
    if not scoping.can(user, resident.estate_id, perm.REVEAL):
        raise DomainError(
            "forbidden", _("Your role does not allow showing full numbers."), status=403
        )
    value = getattr(resident, REVEALABLE[field])
    privacy.log_unmasked(user=user, obj=resident, field=field, request=request)
    return value


def export_log(*, estate, user, what: str, rows: int, request=None) -> None:
    """An export of resident data (masked) is written to the same access log: who, when,
    which list and how many rows."""
    from estate.models import AccessLog

    AccessLog.objects.create(
        user=user,
        estate=estate,
        object_type=f"residents.export.{what}"[:64],
        object_id=str(rows),
        field="export",
        path=(request.get_full_path()[:255] if request is not None else ""),
    )
