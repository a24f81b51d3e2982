"""Per-person figure of the patrols for staff assessment (the estate/assessment registry):
rectification tickets resolved by their assignee in the month."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estate.assessment.registry import Figure, register
from repairs.models import Ticket


def _rectifications(estate, start, end):
    return Ticket.objects.filter(
        estate=estate,
        kind=Ticket.Kind.RECTIFICATION,
        resolved_at__gte=start,
        resolved_at__lt=end,
        assignee__isnull=False,
    )


def _rect_compute(estate, start, end, now) -> dict[int, int]:
    rows = (
        _rectifications(estate, start, end).values("assignee_id").annotate(n=Count("id")).order_by()
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def _rect_records(estate, start, end, now, user_id) -> list[tuple[str, str]]:
    qs = _rectifications(estate, start, end).filter(assignee_id=user_id)
    return [
        (number, reverse("repairs:ticket_detail", args=[pk]))
        for pk, number in qs.order_by("resolved_at", "id").values_list("pk", "number")
    ]


register(
    Figure(
        key="rectifications_closed",
        label=_("rectifications resolved"),
        compute=_rect_compute,
        records=_rect_records,
        order=20,
    )
)
