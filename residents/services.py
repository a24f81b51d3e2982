"""Every write of resident files."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.validators import clean_text, normalize_id_number, normalize_mobile
from residents.models import Occupancy, Resident


@transaction.atomic
def resident_create(
    *,
    estate: Estate,
    name: str,
    phone: str,
    kind: str = Resident.Kind.OWNER,
    id_number: str = "",
    units: list[Unit] | None = None,
    primary: bool = False,
    move_in_date=None,
    emergency_contact: str = "",
    notes: str = "",
) -> Resident:
    """A resident file, validated (mainland mobile, GB 11643 ID) and tied to its units."""
    if kind not in Resident.Kind.values:
        raise DomainError("invalid", _("Unknown resident kind."), field="kind")
    resident = Resident(
        estate=estate,
        name=clean_text(name, field="name", max_length=50, required=True),
        kind=kind,
        move_in_date=move_in_date,
        emergency_contact=clean_text(emergency_contact, field="emergency_contact", max_length=100),
        notes=clean_text(notes, field="notes", max_length=2000),
    )
    resident.set_phone(normalize_mobile(phone))
    resident.set_id_number(normalize_id_number(id_number))
    resident.save()
    for unit in units or []:
        if unit.estate_id != estate.pk:
            raise DomainError("invalid", _("This unit belongs to another estate."), field="units")
        try:
            with transaction.atomic():
                Occupancy.objects.create(
                    estate=estate, unit=unit, resident=resident, is_primary=primary
                )
        except IntegrityError:
            raise DomainError(
                "conflict",
                _("Unit %(u)s already has a primary contact.") % {"u": unit.number},
                field="units",
            ) from None
    return resident
