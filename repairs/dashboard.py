"""The repairs panels of the manager's dashboard: open tickets by status and by age, overdue
now, and the return visits to make (resolved tickets waiting for their call). One aggregate
query; every line links to the work queue filtered to exactly the tickets it counts (the
"open" status group for the ages, ``visit=due`` for the return visits: the same conditions
as ``repairs.selectors``)."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate import localtime
from estate.dashboard.panels import Line, Panel, Section, register, register_bulletin
from estate.pages import with_query
from repairs.models import RUNNING_STATUSES, Ticket, overdue_q
from repairs.selectors import STATUS_GROUPS, visit_due_q

S = Ticket.Status
# (label, reported at least ``low`` days before today, fewer than ``high``): local dates.
AGES = [
    ("age_0", gettext_lazy("reported today"), 0, 1),
    ("age_1", gettext_lazy("1-2 days old"), 1, 3),
    ("age_3", gettext_lazy("3-6 days old"), 3, 7),
    ("age_7", gettext_lazy("a week old or more"), 7, None),
]


def open_ticket_counts(*, estate, now: dt.datetime) -> dict:
    """Open and on-hold tickets per status and by age (local days since reported), overdue
    now, and the return visits to make (``visit_due``): one query."""
    today = localtime.local_date(now, estate.tz)
    running = Q(status__in=STATUS_GROUPS["open"])
    aggregates = {s: Count("id", filter=Q(status=s)) for s in RUNNING_STATUSES}
    aggregates["visit_due"] = Count("id", filter=visit_due_q())
    for key, _label, low, high in AGES:
        cond = running & Q(
            reported_at__lt=localtime.day_start(today - dt.timedelta(days=low - 1), estate.tz)
        )
        if high is not None:
            cond &= Q(
                reported_at__gte=localtime.day_start(today - dt.timedelta(days=high - 1), estate.tz)
            )
        aggregates[key] = Count("id", filter=cond)
    aggregates["overdue"] = Count("id", filter=overdue_q(now))
    return (
        Ticket.objects.filter(estate=estate, status__in=[*RUNNING_STATUSES, S.RESOLVED])
        .order_by()
        .aggregate(**aggregates)
    )


def build(*, estate, now: dt.datetime) -> Panel:
    counts = open_ticket_counts(estate=estate, now=now)
    queue = reverse("repairs:queue")
    today = localtime.local_date(now, estate.tz)
    lines = [
        Line(
            _("Overdue now"),
            counts["overdue"],
            with_query(queue, estate=estate.code, overdue="1"),
            warn=counts["overdue"] > 0,
        ),
        Line(
            _("Return visits to make (resolved, resident not reached since)"),
            counts["visit_due"],
            with_query(queue, estate=estate.code, visit="due"),
        ),
    ]
    labels = dict(S.choices)
    for status in RUNNING_STATUSES:
        lines.append(
            Line(
                _("Open: %(status)s") % {"status": labels[status]},
                counts[status],
                with_query(queue, estate=estate.code, status=status),
            )
        )
    for key, label, low, high in AGES:
        # The queue's dates are inclusive: reported on day ``today - (high - 1)`` .. ``today - low``.
        lines.append(
            Line(
                _("Open, %(age)s") % {"age": label},
                counts[key],
                with_query(
                    queue,
                    estate=estate.code,
                    status="open",
                    reported_from=(today - dt.timedelta(days=high - 1)).isoformat() if high else "",
                    reported_to=(today - dt.timedelta(days=low)).isoformat(),
                ),
            )
        )
    return Panel(_("Tickets"), lines, with_query(queue, estate=estate.code))


register("repairs", "repairs.ticket.view", build, order=10)


def top_complaint_categories(*, estate, period, limit: int = 5):
    """The month's complaints (reported in the month, not cancelled) per category, most
    first: one query."""
    from repairs import selectors

    rows = (
        selectors.ticket_cohort(estate=estate, period=period, kind=Ticket.Kind.COMPLAINT)
        .values("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")[:limit]
    )
    return Section(
        _("Top complaint categories"),
        [_("Category"), _("Complaints")],
        [[r["category__name"] or "—", r["n"]] for r in rows],
    )


register_bulletin("complaints", top_complaint_categories, order=10)
