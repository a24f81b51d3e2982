"""Reads of resident files: search, the list, duplicates, completeness, the access log."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from estate import privacy
from estate.localtime import day_start
from estate.models import AccessLog, Estate
from residents.models import Occupancy, Resident

MISSING_LABELS = ("phone", "id_number", "move_in_date", "emergency_contact", "unit")


def _current_units() -> Prefetch:
    return Prefetch(
        "occupancies",
        queryset=Occupancy.objects.filter(ended_on__isnull=True)
        .select_related("unit")
        .order_by("unit__number"),
        to_attr="current_occupancies",
    )


def live_residents(*, estate: Estate) -> QuerySet[Resident]:
    """The estate's files, without those merged into another."""
    return Resident.objects.filter(estate=estate, merged_into__isnull=True)


def search_condition(q: str) -> Q | None:
    """Name (contains), full mobile number (blind index), its last four digits, or a unit
    number (exact or its beginning, e.g. ``3-2-``); None for an empty query."""
    q = (q or "").strip()[:50]
    if not q:
        return None
    digits = "".join(ch for ch in q if ch.isdigit())
    cond = Q(name__icontains=q)
    if len(digits) == 11 and len(q) <= 16:
        cond |= Q(phone_index=privacy.blind_index(digits))
    elif len(digits) == 4 and digits == q:
        cond |= Q(phone_last4=digits)
    if any(ch.isdigit() for ch in q):
        units = Occupancy.objects.filter(
            resident=OuterRef("pk"), ended_on__isnull=True, unit__number__startswith=q
        )
        cond |= Q(Exists(units))
    return cond


def resident_search(*, estate: Estate, q: str) -> QuerySet[Resident]:
    """Residents by name, full mobile number, its last four digits, or unit number."""
    cond = search_condition(q)
    qs = live_residents(estate=estate)
    if cond is None:
        return qs.none()
    return qs.filter(cond).prefetch_related("occupancies__unit").order_by("name", "pk")


def resident_list(*, estate: Estate, q: str = "", kind: str = "") -> QuerySet[Resident]:
    """The list page (and export, and API): filtered, with current units in one more query."""
    qs = live_residents(estate=estate)
    cond = search_condition(q)
    if cond is not None:
        qs = qs.filter(cond)
    if kind in Resident.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.prefetch_related(_current_units()).order_by("name", "pk")


# Completeness ----------------------------------------------------------------------------------


def _has_unit():
    return Exists(Occupancy.objects.filter(resident=OuterRef("pk"), ended_on__isnull=True))


def incomplete_condition() -> Q:
    """What makes a file incomplete: the same rule for the indicator and the list."""
    return (
        Q(phone_index="")
        | Q(id_number_index="")
        | Q(move_in_date__isnull=True)
        | Q(emergency_contact="")
        | Q(emergency_phone_enc="")
        | Q(has_unit=False)
    )


def missing_of(resident: Resident, *, has_unit: bool) -> list[str]:
    """What the file lacks (keys of MISSING_LABELS), as incomplete_condition() counts it."""
    missing = []
    if not resident.phone_index:
        missing.append("phone")
    if not resident.id_number_index:
        missing.append("id_number")
    if resident.move_in_date is None:
        missing.append("move_in_date")
    if not resident.emergency_contact or not resident.emergency_phone_enc:
        missing.append("emergency_contact")
    if not has_unit:
        missing.append("unit")
    return missing


def incomplete_list(*, estate: Estate) -> QuerySet[Resident]:
    return (
        live_residents(estate=estate)
        .annotate(has_unit=_has_unit())
        .filter(incomplete_condition())
        .prefetch_related(_current_units())
        .order_by("name", "pk")
    )


# Duplicates ------------------------------------------------------------------------------------


def duplicate_candidates(*, estate: Estate) -> QuerySet[Resident]:
    """Files sharing an ID number (blind index) or a name and phone with another live file."""
    live = live_residents(estate=estate)
    same_id = live.filter(id_number_index=OuterRef("id_number_index")).exclude(pk=OuterRef("pk"))
    same_np = live.filter(name=OuterRef("name"), phone_index=OuterRef("phone_index")).exclude(
        pk=OuterRef("pk")
    )
    return (
        live.filter((~Q(id_number_index="") & Q(Exists(same_id))) | Q(Exists(same_np)))
        .prefetch_related(_current_units())
        .order_by("pk")
    )


def duplicate_groups(*, estate: Estate) -> list[list[Resident]]:
    """The duplicates, grouped (same ID number, or same name and phone), oldest file first."""
    groups: dict[str, list[Resident]] = {}
    index: dict[str, str] = {}
    for r in duplicate_candidates(estate=estate):
        keys = [f"np:{r.name}:{r.phone_index}"]
        if r.id_number_index:
            keys.append(f"id:{r.id_number_index}")
        group = next((index[k] for k in keys if k in index), keys[0])
        groups.setdefault(group, []).append(r)
        for k in keys:
            index.setdefault(k, group)
    return [g for g in groups.values() if len(g) > 1]


# Access log ------------------------------------------------------------------------------------


def access_log(
    *,
    estate: Estate,
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    record: str = "",
    field: str = "",
) -> QuerySet[AccessLog]:
    """The estate's log of unmasked views, newest first, filtered."""
    qs = AccessLog.objects.filter(estate=estate).select_related("user")
    if username:
        qs = qs.filter(user__username=username)
    if date_from:
        qs = qs.filter(at__gte=day_start(date_from, estate.tz))
    if date_to:
        qs = qs.filter(at__lt=day_start(date_to + dt.timedelta(days=1), estate.tz))
    if record:
        qs = qs.filter(object_id=record)
    if field:
        qs = qs.filter(field=field)
    return qs.order_by("-at", "-pk")


def resident_access_log(*, resident: Resident) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(
        estate_id=resident.estate_id,
        object_type=Resident._meta.label_lower,
        object_id=str(resident.pk),
    ).select_related("user")
