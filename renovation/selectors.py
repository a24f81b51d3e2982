"""Reads of renovation: the scoped lists, the board, the violation cohort of KPI.md and the
conditions of its three rates (``rate_parts``), which the metrics and the drill-down list
share so a count and its list never disagree."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from estate import kpi_selectors
from estate.errors import DomainError
from estate.kpi import Period, estate_lookup
from estate.models import Estate
from renovation.models import Acceptance, Application, ApplicationEvent, Inspection, Violation

S = Application.Status
PARTS = ("numerator", "denominator")
RATE_NAMES = ("violation_detection_rate", "violation_timely_rate", "violation_success_rate")


def rate_parts(now: dt.datetime) -> dict[str, tuple[Q, Q]]:
    """KPI.md's three violation rates: name -> (numerator, denominator) within the cohort."""
    closed = Q(closed_at__isnull=False)
    return {
        "violation_detection_rate": (Q(source=Violation.Source.INSPECTION), Q(id__isnull=False)),
        "violation_timely_rate": (
            Q(outcome=Violation.Outcome.RECTIFIED, rectified_at__lte=F("rectify_due_at")),
            closed | Q(rectify_due_at__lt=now),
        ),
        "violation_success_rate": (Q(outcome=Violation.Outcome.RECTIFIED), closed),
    }


def violation_cohort(*, estate: Estate | list, period: Period) -> QuerySet[Violation]:
    """KPI.md's cohort: the estate's violations with ``found_at`` in the period (of one estate,
    or of a list of them for a batch of estate-months)."""
    return Violation.objects.filter(
        **estate_lookup(estate), found_at__gte=period.start, found_at__lt=period.end
    )


def metric_violations(
    *, estate: Estate, period: Period, key: str, part: str, snapshot=None
) -> QuerySet[Violation]:
    """The violations counted in a rate's numerator or denominator; with ``snapshot`` (a stored
    snapshot's id), exactly those it counted."""
    prefix, _dot, name = key.partition(".")
    if prefix != "renovation" or name not in RATE_NAMES:
        raise DomainError(
            "invalid", _("There is no metric %(key)s.") % {"key": key}, field="metric"
        )
    if part not in PARTS:
        raise DomainError("invalid", _("part is numerator or denominator"), field="part")
    stored = kpi_selectors.stored_records(
        estate=estate, snapshot=snapshot, key=key, part=part, model=Violation
    )
    if stored is not None:
        return stored.filter(estate=estate)
    num, den = rate_parts(period.now)[name]
    cohort = violation_cohort(estate=estate, period=period)
    return cohort.filter(den & num if part == "numerator" else den)


def violation_rows(qs: QuerySet[Violation]) -> QuerySet[Violation]:
    """What a violation list shows, in one query."""
    return qs.select_related("estate", "application__unit", "type").order_by("-found_at", "-id")


def application_rows(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("estate", "unit").order_by("-created_at", "-id")


def uninspected(*, estate: Estate, now: dt.datetime, every_days: int) -> QuerySet[Application]:
    """Renovating applications not patrolled for ``every_days`` (counted from the last patrol,
    or from the start when there was none)."""
    limit = now - dt.timedelta(days=every_days)
    return Application.objects.filter(
        estate=estate, status=S.RENOVATING, started_at__lt=limit
    ).exclude(last_inspected_at__gte=limit)


def board(*, estate: Estate, now: dt.datetime) -> list[Application]:
    """The renovation board: units renovating or approved, with open and overdue violations
    counted (one query)."""
    open_q = Q(violations__closed_at__isnull=True)
    return list(
        Application.objects.filter(estate=estate, status__in=[S.APPROVED, S.RENOVATING])
        .select_related("unit", "deposit_bill")
        .annotate(
            open_violations=Count("violations", filter=open_q),
            overdue_violations=Count(
                "violations", filter=open_q & Q(violations__rectify_due_at__lt=now)
            ),
            last_violation=Max("violations__found_at"),
        )
        .order_by("status", "end_date", "id")
    )


def application_detail(app_id: int) -> Application:
    """An application with everything its page and the API show, in a fixed number of queries."""
    return (
        Application.objects.select_related("estate", "unit", "deposit_bill__refund", "fee_bill")
        .prefetch_related(
            "work_types",
            "drawings",
            Prefetch(
                "inspections",
                Inspection.objects.select_related("by", "estate").prefetch_related("violations"),
            ),
            Prefetch(
                "violations",
                Violation.objects.select_related("type", "estate", "application__unit"),
            ),
            Prefetch(
                "acceptances",
                Acceptance.objects.select_related("by", "estate").prefetch_related("violations"),
            ),
            Prefetch("events", ApplicationEvent.objects.select_related("by")),
        )
        .get(pk=app_id)
    )


def violation_list(
    *,
    estates,
    found_from: dt.datetime | None = None,
    found_to: dt.datetime | None = None,
    source: str | None = None,
    state: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Violation]:
    """Violations of the given estates (a queryset of estates the caller may see), filtered.
    ``state``: ``open``, ``overdue`` (open, past the deadline at ``now``) or ``closed``."""
    qs = Violation.objects.filter(estate__in=estates)
    if found_from is not None:
        qs = qs.filter(found_at__gte=found_from)
    if found_to is not None:
        qs = qs.filter(found_at__lt=found_to)
    if source:
        qs = qs.filter(source=source)
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "overdue":
        qs = qs.filter(closed_at__isnull=True, rectify_due_at__lt=now)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs
