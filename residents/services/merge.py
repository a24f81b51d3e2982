"""Merging a duplicate file into the kept one (accuracy of the files)."""

from django.db import transaction
from django.utils.translation import gettext as _

from estate.errors import DomainError
from residents.merge_hooks import run_merge_hooks
from residents.models import Occupancy, Pet, Resident, ResidentChange, Vehicle

# Fields copied from the duplicate when the kept file has none.
_FILL = ["move_in_date", "move_out_date", "emergency_contact", "parking_spaces"]


@transaction.atomic
def resident_merge(*, keep: Resident, duplicate: Resident, by) -> Resident:
    """Move the duplicate's units, vehicles and pets to the kept file, fill the kept file's
    blanks from it, let higher apps re-point their records (tickets) through the merge hooks,
    and mark the duplicate merged. Bills belong to units, so moving the units keeps every bill
    on the kept file. Both files are locked in id order."""
    if keep.pk == duplicate.pk:
        raise DomainError("invalid", _("Choose two different files."), field="duplicate")
    if keep.estate_id != duplicate.estate_id:
        raise DomainError("invalid", _("Both files must be of the same estate."), field="duplicate")
    locked = {
        r.pk: r
        for r in Resident.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.merged_into_id or duplicate.merged_into_id:
        raise DomainError("conflict", _("One of these files was already merged."))

    kept_units = {o.unit_id: o for o in Occupancy.objects.filter(resident=keep)}
    moved_units = 0
    for occ in Occupancy.objects.filter(resident=duplicate).order_by("pk"):
        mine = kept_units.get(occ.unit_id)
        if mine is None:
            occ.resident = keep
            occ.save(update_fields=["resident"])
            moved_units += 1
            continue
        primary, current = occ.is_primary and occ.ended_on is None, occ.ended_on is None
        occ.delete()
        if (primary and not mine.is_primary) or (current and mine.ended_on is not None):
            mine.is_primary = mine.is_primary or primary
            mine.ended_on = None if current else mine.ended_on
            mine.save(update_fields=["is_primary", "ended_on"])
        moved_units += 1

    plates = set(keep.vehicles.values_list("plate", flat=True))
    Vehicle.objects.filter(resident=duplicate).exclude(plate__in=plates).update(resident=keep)
    Pet.objects.filter(resident=duplicate).update(resident=keep)

    filled = []
    for name in _FILL:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    if not keep.id_number_index and duplicate.id_number_index:
        keep.id_kind = duplicate.id_kind
        keep.id_number_enc = duplicate.id_number_enc
        keep.id_number_index = duplicate.id_number_index
        keep.id_number_masked = duplicate.id_number_masked
        filled.append("id_number")
    if not keep.emergency_phone_enc and duplicate.emergency_phone_enc:
        keep.emergency_phone_enc = duplicate.emergency_phone_enc
        keep.emergency_phone_masked = duplicate.emergency_phone_masked
        filled.append("emergency_phone")
    keep.save()

    moved = run_merge_hooks(duplicate.pk, keep.pk)
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])

    summary = ", ".join(
        [f"units={moved_units}"]
        + [f"{name}={count}" for name, count in moved.items()]
        + ([f"filled={'/'.join(filled)}"] if filled else [])
    )
    ResidentChange.objects.bulk_create(
        [
            ResidentChange(
                resident=keep,
                by=by,
                kind=ResidentChange.Kind.MERGED,
                field="merged_from",
                old_value=f"#{duplicate.pk} {duplicate.name} {duplicate.phone_masked}",
                new_value=summary[:300],
            ),
            ResidentChange(
                resident=duplicate,
                by=by,
                kind=ResidentChange.Kind.MERGED,
                field="merged_into",
                old_value="",
                new_value=f"#{keep.pk} {keep.name} {keep.phone_masked}",
            ),
        ]
    )
    return keep
