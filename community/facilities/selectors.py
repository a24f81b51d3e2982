"""Reads of facilities and bookings: an estate's facilities, a day's slots, the bookings list."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from community.facilities.models import Booking, Facility
from estate.models import Estate


def facilities(*, estate: Estate, public: bool = False) -> QuerySet[Facility]:
    """The estate's facilities; on the residents' page only the active ones."""
    qs = Facility.objects.filter(estate=estate).select_related("out_of_service_ticket")
    return qs.filter(active=True) if public else qs


def day_slots(*, facility: Facility, date: dt.date) -> list[dict]:
    """Each slot of the day with its confirmed booking, if any (one query)."""
    taken = {
        b.slot_start: b
        for b in Booking.objects.filter(
            facility=facility, date=date, status=Booking.Status.CONFIRMED
        )
    }
    return [
        {"start": start, "end": end, "booking": taken.get(start)} for start, end in facility.slots()
    ]


def bookings(
    *,
    estate: Estate,
    facility: Facility | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str | None = None,
) -> QuerySet[Booking]:
    qs = Booking.objects.filter(estate=estate).select_related("facility")
    if facility is not None:
        qs = qs.filter(facility=facility)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("date", "slot_start", "id")
