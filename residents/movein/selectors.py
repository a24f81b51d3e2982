"""Reads of handovers: the calendar, a day's list, one handover, the KPI cohort and the
records behind each rate.

The metric conditions live here (``rate_parts``) so that ``metrics.py`` counts exactly the
rows the drill-down list shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from estate import kpi_selectors
from estate.errors import DomainError
from estate.kpi import Period, estate_lookup
from estate.models import Estate, Unit
from estate.scoping import for_user
from fees.selectors import open_bills
from repairs.models import Ticket
from residents.movein.models import (
    BookedSlot,
    BookingSettings,
    Defect,
    Handover,
    HandoverItem,
    SlotTemplate,
)

PARTS = ("numerator", "denominator")
RATE_NAMES = ("satisfaction_rate", "on_schedule_rate")
ZERO = Decimal("0.00")


def unit_outstanding(unit: Unit) -> Decimal:
    """What the unit owes now on its open bills (fees/), one query."""
    owed = ExpressionWrapper(
        F("amount_due") - F("amount_paid"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    total = open_bills(unit).order_by().aggregate(total=Coalesce(Sum(owed), ZERO))["total"]
    return Decimal(total).quantize(Decimal("0.01"))


# The rates ------------------------------------------------------------------------------------


def rate_parts() -> dict[str, tuple[Q, Q]]:
    """KPI.md's two handover rates: name -> (numerator, denominator) within the cohort."""
    return {
        "satisfaction_rate": (Q(rating__gte=4), Q(rating__isnull=False)),
        # completed_on is completed_at's local date in the estate's zone (set on completion).
        "on_schedule_rate": (Q(completed_on__lte=F("booked_date")), Q(pk__isnull=False)),
    }


def handover_cohort(*, estate: Estate | list, period: Period) -> QuerySet[Handover]:
    """KPI.md's cohort: handovers with ``completed_at`` in the period (of one estate, or of a
    list of them for a batch of estate-months)."""
    return Handover.objects.filter(
        **estate_lookup(estate), completed_at__gte=period.start, completed_at__lt=period.end
    )


def metric_handovers(
    *, estate: Estate, period: Period, key: str, part: str, snapshot=None
) -> QuerySet:
    """The handovers counted in a rate's numerator or denominator (``movein.on_schedule_rate``);
    with ``snapshot`` (a stored snapshot's id), exactly those it counted."""
    prefix, _dot, name = (key or "").partition(".")
    if prefix != "movein" or name not in RATE_NAMES:
        raise DomainError(
            "invalid", _("There is no metric %(key)s.") % {"key": key}, field="metric"
        )
    if part not in PARTS:
        raise DomainError("invalid", _("part is numerator or denominator"), field="part")
    stored = kpi_selectors.stored_records(
        estate=estate, snapshot=snapshot, key=key, part=part, model=Handover
    )
    if stored is not None:
        return stored.filter(estate=estate)
    num, den = rate_parts()[name]
    cohort = handover_cohort(estate=estate, period=period)
    return cohort.filter(den & num if part == "numerator" else den)


# Lists ----------------------------------------------------------------------------------------


def with_rows(qs: QuerySet[Handover]) -> QuerySet[Handover]:
    """Everything a list row shows, joined in (one query)."""
    return qs.select_related("estate", "unit", "resident", "slot__template")


def handover_list(
    *,
    user,
    estate: Estate,
    completed_from: dt.date | None = None,
    completed_to: dt.date | None = None,
    status: str | None = None,
) -> QuerySet[Handover]:
    """The estate's handovers the user may see; ``completed_to`` is exclusive, dates local."""
    qs = for_user(Handover, user).filter(estate=estate)
    tz = estate.tz
    if completed_from:
        qs = qs.filter(completed_at__gte=dt.datetime.combine(completed_from, dt.time(), tz))
    if completed_to:
        qs = qs.filter(completed_at__lt=dt.datetime.combine(completed_to, dt.time(), tz))
    if status:
        qs = qs.filter(status=status)
    return with_rows(qs).order_by("-booked_date", "-id")


def day_list(*, estate: Estate, date: dt.date) -> QuerySet[Handover]:
    """A day's handovers in slot order, cancelled ones last."""
    return with_rows(Handover.objects.filter(estate=estate, booked_date=date)).order_by(
        "status", "slot__template__start", "id"
    )


def handover_detail(*, user, handover_id: int) -> Handover | None:
    """One handover with its checklist and its defects' tickets (a fixed number of queries)."""
    return (
        with_rows(for_user(Handover, user))
        .prefetch_related(
            Prefetch("items", queryset=HandoverItem.objects.order_by("sort", "id")),
            Prefetch(
                "defects",
                queryset=Defect.objects.select_related("ticket", "item").order_by("id"),
            ),
        )
        .filter(pk=handover_id)
        .first()
    )


def handover_by_token(*, estate: Estate, token: str) -> Handover | None:
    token = (token or "").strip()
    if not 16 <= len(token) <= 32:
        return None
    return with_rows(Handover.objects.filter(estate=estate, rating_token=token)).first()


def open_ticket_statuses() -> list[str]:
    return [s for s in Ticket.Status.values if s not in ("closed", "cancelled")]


# The calendar ---------------------------------------------------------------------------------


def calendar(*, estate: Estate, start: dt.date, days: int = 14) -> dict:
    """Slots x days with their booked counts and capacities, in three queries: the slots, the
    days' counter rows, the slots' counter rows."""
    templates = list(SlotTemplate.objects.filter(estate=estate, active=True).order_by("start"))
    config = BookingSettings.objects.filter(estate=estate).first()
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    end = dates[-1]
    counters = {
        (s.day.date, s.template_id): s
        for s in BookedSlot.objects.filter(
            estate=estate, day__date__gte=start, day__date__lte=end
        ).select_related("day")
    }
    day_booked: dict[dt.date, int] = {}
    for (date, _t), s in counters.items():
        day_booked[date] = s.day.booked
    daily = config.daily_capacity if config else None
    rows = []
    for template in templates:
        cells = []
        for date in dates:
            counter = counters.get((date, template.pk))
            capacity = counter.capacity if counter else template.capacity
            booked = counter.booked if counter else 0
            cells.append(
                {
                    "date": date,
                    "booked": booked,
                    "capacity": capacity,
                    "full": booked >= capacity
                    or (daily is not None and day_booked.get(date, 0) >= daily),
                }
            )
        rows.append({"slot": template, "cells": cells})
    return {
        "dates": dates,
        "rows": rows,
        "daily_capacity": daily,
        "day_booked": [day_booked.get(d, 0) for d in dates],
    }
