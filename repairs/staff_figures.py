"""Per-person figures of tickets for staff assessment (the estate/assessment registry).

The ticket figures count the KPI cohort (repairs and complaints reported in the month, not
cancelled) grouped by assignee, with the conditions of ``selectors.rate_parts``: so the sum of
a figure over an estate's staff is the estate's numerator for the tickets that have an
assignee. Return visits made count the staff's reached and unreached calls of the month."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estate.assessment.registry import Figure, register
from repairs import selectors
from repairs.models import ReturnVisit, Ticket


def _cohort(estate, start, end) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        estate=estate,
        kind__in=list(selectors.KIND_PREFIX.values()),
        reported_at__gte=start,
        reported_at__lt=end,
        assignee__isnull=False,
    ).exclude(status=Ticket.Status.CANCELLED)


def _condition(name: str | None, now) -> Q:
    if name is None:
        return Q()
    num, den = selectors.rate_parts(now)[name]
    return den & num


def _ticket_figure(key: str, label, condition: str | None, order: int) -> Figure:
    def compute(estate, start, end, now) -> dict[int, int]:
        rows = (
            _cohort(estate, start, end)
            .values("assignee_id")
            .annotate(n=Count("id", filter=_condition(condition, now)))
            .order_by()
        )
        return {r["assignee_id"]: r["n"] for r in rows}

    def records(estate, start, end, now, user_id) -> list[tuple[str, str]]:
        qs = _cohort(estate, start, end).filter(_condition(condition, now), assignee_id=user_id)
        return [
            (number, reverse("repairs:ticket_detail", args=[pk]))
            for pk, number in qs.order_by("reported_at", "id").values_list("pk", "number")
        ]

    return Figure(key=key, label=label, compute=compute, records=records, order=order)


register(_ticket_figure("tickets_handled", _("tickets handled"), None, 10))
register(
    _ticket_figure("responses_on_time", _("first responses on time"), "response_timely_rate", 11)
)
register(_ticket_figure("resolutions_on_time", _("resolutions on time"), "timely_rate", 12))
register(_ticket_figure("ratings_received", _("ratings received"), "satisfaction_rate", 13))


def _visits(estate, start, end):
    return ReturnVisit.objects.filter(
        estate=estate, at__gte=start, at__lt=end, by_resident=False, by__isnull=False
    )


def _visits_compute(estate, start, end, now) -> dict[int, int]:
    rows = _visits(estate, start, end).values("by_id").annotate(n=Count("id")).order_by()
    return {r["by_id"]: r["n"] for r in rows}


def _visits_records(estate, start, end, now, user_id) -> list[tuple[str, str]]:
    qs = _visits(estate, start, end).filter(by_id=user_id).order_by("at", "id")
    return [
        (number, reverse("repairs:ticket_detail", args=[ticket_id]))
        for ticket_id, number in qs.values_list("ticket_id", "ticket__number")
    ]


register(
    Figure(
        key="return_visits_made",
        label=_("return visits made"),
        compute=_visits_compute,
        records=_visits_records,
        order=14,
    )
)
