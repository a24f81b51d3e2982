"""Reads of staff assessment: whom a user may see, the figures of a month, training sessions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from estate import scoping
from estate.assessment import registry
from estate.assessment.models import TrainingAttendance, TrainingSession
from estate.localtime import month_bounds
from estate.models import Estate


def people(*, user, estate: Estate) -> QuerySet:
    """Whom ``user`` may see: the estate's staff for a manager (or a company admin), else
    only themself (and only when they are on the estate's staff)."""
    users = (
        get_user_model().objects.filter(memberships__estate=estate).distinct().order_by("username")
    )
    if scoping.can(user, estate, "assessment.view_staff"):
        return users
    return users.filter(pk=user.pk)


def month_figures(*, estate: Estate, month: dt.date, persons: list) -> list[tuple]:
    """[(person, {figure key: number})] for a month: one query per registered figure."""
    start, end = month_bounds(month.year, month.month, estate)
    values = registry.compute_all(estate=estate, start=start, end=end, now=min(timezone.now(), end))
    return [(p, {f.key: values[f.key].get(p.pk, 0) for f in registry.figures()}) for p in persons]


def figure_records(
    *, estate: Estate, month: dt.date, figure: registry.Figure, user_id: int
) -> list[tuple[str, str]]:
    """The records behind one person's figure: the same condition as the count."""
    start, end = month_bounds(month.year, month.month, estate)
    return figure.records(estate, start, end, min(timezone.now(), end), user_id)


def trainings(*, estate: Estate) -> QuerySet[TrainingSession]:
    """The estate's sessions, newest first, with attendees (a page is two queries more)."""
    return TrainingSession.objects.filter(estate=estate).prefetch_related(
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.select_related("user").order_by("user__username"),
        )
    )
