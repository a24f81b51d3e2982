"""Patrols' per-person figure for staff assessment: rounds walked (done) in the month."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estate.assessment.registry import Figure, register
from repairs.patrols.models import Round


def _done(estate, start, end):
    return Round.objects.filter(
        estate=estate, status=Round.Status.DONE, done_at__gte=start, done_at__lt=end
    )


def _compute(estate, start, end, now) -> dict[int, int]:
    rows = _done(estate, start, end).values("inspector_id").annotate(n=Count("id")).order_by()
    return {r["inspector_id"]: r["n"] for r in rows}


def _records(estate, start, end, now, user_id) -> list[tuple[str, str]]:
    qs = _done(estate, start, end).filter(inspector_id=user_id).order_by("done_at", "id")
    return [
        (f"{name} {done:%Y-%m-%d}", reverse("patrols:walk", args=[pk]))
        for pk, name, done in qs.values_list("pk", "checklist__name", "done_at")
    ]


register(
    Figure(
        key="patrols_walked",
        label=_("patrols walked"),
        compute=_compute,
        records=_records,
        order=21,
    )
)
