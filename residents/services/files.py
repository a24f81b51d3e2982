"""Writes of resident files: create and update, each change kept in the file's history with
masked values only."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import privacy
from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.validators import clean_text, normalize_mobile
from residents.models import Occupancy, Pet, Resident, ResidentChange, Vehicle
from residents.validation import normalize_document, normalize_optional_mobile, normalize_plate

MAX_VEHICLES = 10
MAX_PETS = 10


@dataclass
class FileData:
    """What a file holds, as typed: the form, the API and the import all fill one of these."""

    name: str = ""
    phone: str = ""
    kind: str = Resident.Kind.OWNER
    id_kind: str = Resident.IdKind.NATIONAL_ID
    id_number: str = ""
    move_in_date: dt.date | None = None
    move_out_date: dt.date | None = None
    emergency_contact: str = ""
    emergency_phone: str = ""
    parking_spaces: str = ""
    notes: str = ""
    vehicles: list[tuple[str, str]] = field(default_factory=list)  # (plate, parking space)
    pets: list[str] = field(default_factory=list)


# Fields compared and recorded in the history, with how a value is shown there.
_PLAIN = ["name", "kind", "id_kind", "move_in_date", "move_out_date", "emergency_contact"]
_PLAIN += ["parking_spaces", "notes"]


def _clean(data: FileData) -> FileData:
    """The data validated and normalized, or a DomainError naming the first bad field."""
    if data.kind not in Resident.Kind.values:
        raise DomainError("invalid", _("Unknown resident kind."), field="kind")
    if data.id_kind not in Resident.IdKind.values:
        raise DomainError("invalid", _("Unknown document kind."), field="id_kind")
    if data.move_in_date and data.move_out_date and data.move_out_date < data.move_in_date:
        raise DomainError(
            "invalid", _("The move-out date is before the move-in date."), field="move_out_date"
        )
    for name in ("move_in_date", "move_out_date"):
        value = getattr(data, name)
        if value is not None and not (dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 31)):
            raise DomainError("invalid", _("This date is out of range."), field=name)
    if len(data.vehicles) > MAX_VEHICLES:
        raise DomainError("invalid", _("At most 10 vehicles."), field="vehicles")
    if len(data.pets) > MAX_PETS:
        raise DomainError("invalid", _("At most 10 pets."), field="pets")
    vehicles, seen = [], set()
    for plate, space in data.vehicles:
        plate = normalize_plate(plate)
        if plate not in seen:
            seen.add(plate)
            vehicles.append((plate, clean_text(space, field="vehicles", max_length=32)))
    return FileData(
        name=clean_text(data.name, field="name", max_length=50, required=True),
        phone=normalize_mobile(data.phone),
        kind=data.kind,
        id_kind=data.id_kind,
        id_number=normalize_document(data.id_kind, data.id_number),
        move_in_date=data.move_in_date,
        move_out_date=data.move_out_date,
        emergency_contact=clean_text(
            data.emergency_contact, field="emergency_contact", max_length=100
        ),
        emergency_phone=normalize_optional_mobile(data.emergency_phone, field="emergency_phone"),
        parking_spaces=clean_text(data.parking_spaces, field="parking_spaces", max_length=200),
        notes=clean_text(data.notes, field="notes", max_length=2000),
        vehicles=vehicles,
        pets=[clean_text(p, field="pets", max_length=100) for p in data.pets if p.strip()],
    )


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:300]


def _vehicles_text(vehicles) -> str:
    return ", ".join(f"{p} {s}".strip() for p, s in vehicles)


def _differences(resident: Resident | None, data: FileData) -> list[tuple[str, str, str]]:
    """(field, old masked, new masked) for every field whose value changes."""
    diffs = []
    for name in _PLAIN:
        old = getattr(resident, name) if resident else None
        new = getattr(data, name)
        if _shown(old) != _shown(new):
            diffs.append((name, _shown(old), _shown(new)))
    secret = [
        ("phone", "phone_index", privacy.blind_index(data.phone), privacy.mask_phone(data.phone)),
        (
            "id_number",
            "id_number_index",
            privacy.blind_index(data.id_number),
            privacy.mask_id_number(data.id_number),
        ),
    ]
    for name, index_attr, new_index, new_masked in secret:
        old_index = getattr(resident, index_attr) if resident else ""
        if old_index != new_index:
            old_masked = getattr(resident, f"{name}_masked") if resident else ""
            diffs.append((name, old_masked, new_masked))
    old_em = resident.emergency_phone if resident else ""
    if old_em != data.emergency_phone:
        diffs.append(
            (
                "emergency_phone",
                resident.emergency_phone_masked if resident else "",
                privacy.mask_phone(data.emergency_phone),
            )
        )
    if resident is not None:
        old_v = _vehicles_text(_vehicles_of(resident))
        old_p = ", ".join(_pets_of(resident))
    else:
        old_v = old_p = ""
    if old_v != _vehicles_text(data.vehicles):
        diffs.append(("vehicles", old_v[:300], _vehicles_text(data.vehicles)[:300]))
    if old_p != ", ".join(data.pets):
        diffs.append(("pets", old_p[:300], ", ".join(data.pets)[:300]))
    return diffs


def _vehicles_of(resident: Resident) -> list[tuple[str, str]]:
    # .all() so that a prefetched list (the import matches many files at once) is used.
    return [(v.plate, v.parking_space) for v in resident.vehicles.all()]


def _pets_of(resident: Resident) -> list[str]:
    return [p.description for p in resident.pets.all()]


def _write(resident: Resident, data: FileData) -> None:
    new = resident.pk is None
    for name in _PLAIN:
        setattr(resident, name, getattr(data, name))
    if resident.phone_index != privacy.blind_index(data.phone):
        resident.set_phone(data.phone)
    if resident.id_number_index != privacy.blind_index(data.id_number):
        resident.set_id_number(data.id_number)
    if resident.emergency_phone != data.emergency_phone:
        resident.set_emergency_phone(data.emergency_phone)
    resident.save()
    if new or _vehicles_of(resident) != data.vehicles:
        if not new:
            resident.vehicles.all().delete()
        Vehicle.objects.bulk_create(
            [Vehicle(resident=resident, plate=p, parking_space=s) for p, s in data.vehicles]
        )
    if new or _pets_of(resident) != data.pets:
        if not new:
            resident.pets.all().delete()
        Pet.objects.bulk_create([Pet(resident=resident, description=p) for p in data.pets])


def _link_units(*, resident: Resident, units: list[Unit], primary: bool, by) -> list[str]:
    """Tie the resident to ``units`` (new ties, or ended ones taken up again); the numbers of
    the units added."""
    added = []
    for unit in units:
        if unit.estate_id != resident.estate_id:
            raise DomainError("invalid", _("This unit belongs to another estate."), field="units")
        try:
            with transaction.atomic():
                occ, made = Occupancy.objects.get_or_create(
                    unit=unit,
                    resident=resident,
                    defaults={"estate_id": resident.estate_id, "is_primary": primary},
                )
                if not made and (occ.ended_on is not None or (primary and not occ.is_primary)):
                    occ.ended_on = None
                    occ.is_primary = occ.is_primary or primary
                    occ.save(update_fields=["ended_on", "is_primary"])
                    made = True
        except IntegrityError:
            raise DomainError(
                "conflict",
                _("Unit %(u)s already has a primary contact.") % {"u": unit.number},
                field="units",
            ) from None
        if made:
            added.append(unit.number)
    return added


def _record(resident, by, kind, diffs) -> None:
    ResidentChange.objects.bulk_create(
        [
            ResidentChange(resident=resident, by=by, kind=kind, field=f, old_value=o, new_value=n)
            for f, o, n in diffs
        ]
    )


@transaction.atomic
def resident_file_create(
    *,
    estate: Estate,
    data: FileData,
    units: list[Unit] | None = None,
    primary: bool = False,
    by=None,
    kind: str = ResidentChange.Kind.CREATED,
) -> Resident:
    """A new file, validated (mainland mobile, GB 11643 ID or a document's format, plates),
    tied to its units, its creation kept in the history."""
    data = _clean(data)
    resident = Resident(estate=estate)
    diffs = _differences(None, data)
    _write(resident, data)
    added = _link_units(resident=resident, units=units or [], primary=primary, by=by)
    if added:
        diffs.append(("units", "", ", ".join(added)))
    _record(resident, by, kind, diffs)
    return resident


@transaction.atomic
def resident_update(
    *,
    resident: Resident,
    data: FileData,
    units: list[Unit] | None = None,
    primary: bool = False,
    remove_unit_ids: list[int] | None = None,
    by=None,
    kind: str = ResidentChange.Kind.UPDATED,
) -> tuple[Resident, int]:
    """Change a file; (the file, how many fields changed). Each changed field is kept with who
    and when, its old and new values masked. Units given are added (never removed here, except
    those in ``remove_unit_ids``, whose tie is ended, not erased)."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    data = _clean(data)
    diffs = _differences(resident, data)
    if diffs:
        _write(resident, data)
    added = _link_units(resident=resident, units=units or [], primary=primary, by=by)
    if added:
        diffs.append(("units", "", ", ".join(added)))
    if remove_unit_ids:
        ended = Occupancy.objects.filter(
            resident=resident, unit_id__in=remove_unit_ids, ended_on__isnull=True
        )
        numbers = list(ended.values_list("unit__number", flat=True))
        ended.update(ended_on=timezone.localdate(), is_primary=False)
        if numbers:
            diffs.append(("units", ", ".join(numbers), ""))
    _record(resident, by, kind, diffs)
    return resident, len(diffs)


def file_data_of(resident: Resident) -> FileData:
    """The file's current data (decrypted: for a service that rewrites it, never for display)."""
    return FileData(
        name=resident.name,
        phone=resident.phone,
        kind=resident.kind,
        id_kind=resident.id_kind,
        id_number=resident.id_number,
        move_in_date=resident.move_in_date,
        move_out_date=resident.move_out_date,
        emergency_contact=resident.emergency_contact,
        emergency_phone=resident.emergency_phone,
        parking_spaces=resident.parking_spaces,
        notes=resident.notes,
        vehicles=_vehicles_of(resident),
        pets=_pets_of(resident),
    )


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
    by=None,
) -> Resident:
    """A resident file from the few fields other apps know (the front desk, the demo data)."""
    return resident_file_create(
        estate=estate,
        data=FileData(
            name=name,
            phone=phone,
            kind=kind,
            id_number=id_number,
            move_in_date=move_in_date,
            emergency_contact=emergency_contact,
            notes=notes,
        ),
        units=units,
        primary=primary,
        by=by,
    )
