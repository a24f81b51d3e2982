"""Per-person figure of fees for staff assessment (the estate/assessment registry): payments
a cashier took in the month, not reversed."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estate.assessment.registry import Figure, register
from fees.models import Payment


def _taken(estate, start, end):
    return Payment.objects.filter(
        estate=estate,
        received_at__gte=start,
        received_at__lt=end,
        created_by__isnull=False,
        reversal__isnull=True,
    )


def _compute(estate, start, end, now) -> dict[int, int]:
    rows = _taken(estate, start, end).values("created_by_id").annotate(n=Count("id")).order_by()
    return {r["created_by_id"]: r["n"] for r in rows}


def _records(estate, start, end, now, user_id) -> list[tuple[str, str]]:
    qs = _taken(estate, start, end).filter(created_by_id=user_id).order_by("received_at", "id")
    return [
        (f"{number} {amount}", reverse("fees:account", args=[unit_id]))
        for unit_id, number, amount in qs.values_list("unit_id", "unit__number", "amount")
    ]


register(
    Figure(
        key="payments_taken",
        label=_("payments taken"),
        compute=_compute,
        records=_records,
        order=30,
    )
)
