"""The manager's figures and the records behind each one.

Each figure is one aggregate query over a span of months, and each has a list that filters
with the same condition: rounds planned / done (``round_condition``), failed findings per
area and item (``finding_condition``) and rectifications closed on time (repairs'
``rate_parts``' timeliness condition over the rectification tickets, so "on time" means the
same as in the residents' rates)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from estate.localtime import month_bounds
from estate.models import Estate
from repairs.models import Ticket
from repairs.patrols.models import Checklist, ChecklistItem, Finding, Round
from repairs.selectors import rate_parts

RECT = Ticket.Kind.RECTIFICATION


def months_back(end_month: dt.date, n: int) -> list[dt.date]:
    """The first days of the ``n`` months ending with ``end_month``, oldest first."""
    out, year, month = [], end_month.year, end_month.month
    for _i in range(n):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def span(estate: Estate, months: list[dt.date]) -> tuple[dt.datetime, dt.datetime]:
    start = month_bounds(months[0].year, months[0].month, estate)[0]
    end = month_bounds(months[-1].year, months[-1].month, estate)[1]
    return start, end


def round_condition(part: str) -> Q:
    return Q(status=Round.Status.DONE) if part == "done" else Q()


def rounds(*, estate: Estate, month: dt.date, part: str = "planned") -> QuerySet[Round]:
    start, end = month_bounds(month.year, month.month, estate)
    return (
        Round.objects.filter(estate=estate, planned_for__gte=start, planned_for__lt=end)
        .filter(round_condition(part))
        .select_related("checklist", "inspector")
        .order_by("planned_for", "id")
    )


def round_figures(*, estate: Estate, months: list[dt.date]) -> dict[dt.date, dict]:
    """{month: {"planned": n, "done": n}} in one query."""
    start, end = span(estate, months)
    rows = (
        Round.objects.filter(estate=estate, planned_for__gte=start, planned_for__lt=end)
        .annotate(month=TruncMonth("planned_for", tzinfo=estate.tz))
        .values("month")
        .annotate(planned=Count("id"), done=Count("id", filter=round_condition("done")))
        .order_by()
    )
    out = {m: {"planned": 0, "done": 0} for m in months}
    for row in rows:
        month = _as_date(row["month"])
        out[month] = {"planned": row["planned"], "done": row["done"]}
    return out


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def finding_condition(*, item_id: int | None = None, area: str | None = None) -> Q:
    q = Q(passed=False)
    if item_id is not None:
        q &= Q(item_id=item_id)
    if area:
        q &= Q(item__checklist__area=area)
    return q


def failed_findings(
    *, estate: Estate, month: dt.date, item_id: int | None = None, area: str | None = None
) -> QuerySet[Finding]:
    start, end = month_bounds(month.year, month.month, estate)
    return (
        Finding.objects.filter(estate=estate, recorded_at__gte=start, recorded_at__lt=end)
        .filter(finding_condition(item_id=item_id, area=area))
        .select_related("item__checklist", "round__inspector", "ticket")
        .order_by("recorded_at", "id")
    )


def finding_figures(*, estate: Estate, months: list[dt.date]) -> list[dict]:
    """Failed findings per area and item and month (one query): rows of
    {area, item_id, item, counts: {month: n}}, the items with most failures first."""
    start, end = span(estate, months)
    rows = (
        Finding.objects.filter(estate=estate, recorded_at__gte=start, recorded_at__lt=end)
        .filter(finding_condition())
        .annotate(month=TruncMonth("recorded_at", tzinfo=estate.tz))
        .values("item__checklist__area", "item_id", "item__text", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    items: dict[int, dict] = {}
    for row in rows:
        entry = items.setdefault(
            row["item_id"],
            {
                "area": row["item__checklist__area"],
                "item_id": row["item_id"],
                "item": row["item__text"],
                "counts": dict.fromkeys(months, 0),
                "total": 0,
            },
        )
        entry["counts"][_as_date(row["month"])] = row["n"]
        entry["total"] += row["n"]
    return sorted(items.values(), key=lambda e: (-e["total"], e["area"], e["item"]))


def _rect_cohort(estate: Estate, start, end) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        estate=estate, kind=RECT, reported_at__gte=start, reported_at__lt=end
    ).exclude(status=Ticket.Status.CANCELLED)


def rectification_figures(
    *, estate: Estate, months: list[dt.date], now: dt.datetime | None = None
) -> dict[dt.date, dict]:
    """{month: {"numerator": on time, "denominator": due or resolved}} in one query."""
    now = now or timezone.now()
    num, den = rate_parts(now)["timely_rate"]
    start, end = span(estate, months)
    rows = (
        _rect_cohort(estate, start, end)
        .annotate(month=TruncMonth("reported_at", tzinfo=estate.tz))
        .values("month")
        .annotate(numerator=Count("id", filter=den & num), denominator=Count("id", filter=den))
        .order_by()
    )
    out = {m: {"numerator": 0, "denominator": 0} for m in months}
    for row in rows:
        out[_as_date(row["month"])] = {
            "numerator": row["numerator"],
            "denominator": row["denominator"],
        }
    return out


def rectifications(
    *, estate: Estate, month: dt.date, part: str, now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    """The rectification tickets behind a month's numerator or denominator."""
    now = now or timezone.now()
    num, den = rate_parts(now)["timely_rate"]
    start, end = month_bounds(month.year, month.month, estate)
    cond = den & num if part == "numerator" else den
    return (
        _rect_cohort(estate, start, end)
        .filter(cond)
        .select_related("category", "assignee")
        .order_by("reported_at", "id")
    )


def rounds_for(*, user, estate: Estate) -> QuerySet[Round]:
    """The rounds planned for this person in this estate still to walk, then the last done."""
    return (
        Round.objects.filter(estate=estate, inspector=user)
        .select_related("checklist")
        .order_by("status", "planned_for", "id")
    )


def checklists(*, estate: Estate, area: str | None = None) -> QuerySet[Checklist]:
    """The estate's active checklists with their active items (two queries)."""
    qs = Checklist.objects.filter(estate=estate, active=True).select_related("estate", "category")
    if area:
        qs = qs.filter(area=area)
    return qs.prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.filter(active=True), to_attr="live_items")
    ).order_by("area", "name", "id")


def round_list(
    *,
    estate: Estate,
    month: dt.date | None = None,
    status: str | None = None,
    inspector_id: int | None = None,
    checklist: Checklist | None = None,
) -> QuerySet[Round]:
    """Rounds of an estate (a month's, by planned time), newest first."""
    qs = Round.objects.filter(estate=estate).select_related("estate", "checklist", "inspector")
    if month is not None:
        start, end = month_bounds(month.year, month.month, estate)
        qs = qs.filter(planned_for__gte=start, planned_for__lt=end)
    if status:
        qs = qs.filter(status=status)
    if inspector_id is not None:
        qs = qs.filter(inspector_id=inspector_id)
    if checklist is not None:
        qs = qs.filter(checklist=checklist)
    return qs.order_by("-planned_for", "-id")


def round_detail(*, round_id: int) -> QuerySet[Round]:
    """A round with its checklist's active items and its findings (scope it with
    ``estate.scoping``)."""
    return (
        Round.objects.filter(pk=round_id)
        .select_related("estate", "checklist", "inspector")
        .prefetch_related(
            Prefetch(
                "checklist__items",
                queryset=ChecklistItem.objects.filter(active=True),
                to_attr="live_items",
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("ticket")),
        )
    )
