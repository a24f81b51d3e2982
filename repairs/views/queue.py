"""The work queue (also the drill-down behind every ticket rate) and the technician's "my
tickets".

Pages read through ``repairs.selectors`` and write through ``repairs.services``; every page is
scoped to the user's estates and checked against the role matrix of ``repairs.roles``."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate import exports, kpi, localtime, scoping
from estate.errors import DomainError
from estate.pages import current_estate, estate_page, forbidden
from repairs import selectors
from repairs import workflow as wf
from repairs.forms import QueueFilterForm
from repairs.models import OPEN_STATUSES, Ticket, overdue_q
from repairs.views.ticket import ACTIONS

PAGE_SIZE = 50
MINE_TAPS = ("start", "resolve", "resume", "hold")
S = Ticket.Status
PARTS = {"numerator": gettext_lazy("numerator"), "denominator": gettext_lazy("denominator")}


def mark_overdue(tickets, now: dt.datetime) -> list[Ticket]:
    """Each ticket with ``late`` set by the same rule as the overdue filter, live (the stored
    flag waits for the periodic task)."""
    tickets = list(tickets)
    for ticket in tickets:
        ticket.late = ticket.overdue(now)
    return tickets


def _with(query: QueryDict, **changes) -> str:
    query = query.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


def _filters(data: dict, now: dt.datetime) -> dict:
    to = data["reported_to"]
    return {
        "kind": data["kind"] or None,
        "category": data["category"] or None,
        "overdue": {"1": True, "0": False}.get(data["overdue"]),
        "assignee": int(data["assignee"]) if data["assignee"] else None,
        "reported_from": data["reported_from"],
        "reported_to": to + dt.timedelta(days=1) if to else None,
        "q": data["q"] or None,
        "visit_due": data["visit"] == "due",
        "now": now,
    }


def _drill(request, estate):
    """The tickets behind a rate's numerator or denominator (the KPI table's links), with the
    heading that says so; (None, None) without ``metric``."""
    key = request.GET.get("metric")
    if not key:
        return None, None
    part = request.GET.get("part") or "denominator"
    period = kpi.Period.month(estate.tz, request.GET.get("period") or "")
    tickets = selectors.metric_tickets(
        estate=estate, period=period, key=key, part=part, snapshot=request.GET.get("snapshot")
    )
    heading = _("%(metric)s, %(period)s: the tickets of the %(part)s") % {
        "metric": kpi.get(key).label,
        "period": period.label,
        "part": PARTS[part],
    }
    return tickets, heading


def _status_counts(qs, now: dt.datetime) -> dict[str, int]:
    """Per-status counts and the overdue count of the filtered tickets, in one query."""
    return qs.order_by().aggregate(
        all=Count("id"),
        overdue=Count("id", filter=overdue_q(now)),
        **{s: Count("id", filter=Q(status=s)) for s in S.values},
    )


def _queue_tickets(request, estate, now):
    """The queue's tickets as the page's filters (and a rate's drill-down) select them:
    (form, base, filtered, status, heading, error); ``filtered`` is None when the filters
    are invalid."""
    query = request.GET
    categories = selectors.categories(estate=estate, active=None)
    assignees = selectors.dispatch_candidates(estate=estate)
    form = QueueFilterForm(query, categories=list(categories), assignees=assignees)
    heading, error = None, None
    base = selectors.ticket_list(user=request.user, estate=estate).none()
    filtered = status = None
    if form.is_valid():
        try:
            drill, heading = _drill(request, estate)
        except (DomainError, KeyError) as exc:
            error = getattr(exc, "message", _("There is no such rate."))
        else:
            base = selectors.ticket_list(
                user=request.user, estate=estate, **_filters(form.cleaned_data, now)
            )
            if drill is not None:
                base = base & drill
            status = form.cleaned_data["status"] or None
            filtered = base.filter(status__in=selectors.statuses(status)) if status else base
    return form, base, filtered, status, heading, error


@estate_page("repairs.ticket.view")
def queue(request, estate):
    """The work queue of one estate: filters, counts per status, 50 a page, a fixed number
    of queries whatever the page holds. With ``metric``/``period``/``part`` it lists exactly
    the tickets behind one rate's numerator or denominator (filters still narrow it)."""
    now = timezone.now()
    query = request.GET
    form, base, filtered, status, heading, error = _queue_tickets(request, estate, now)
    page = Paginator(filtered if filtered is not None else base, PAGE_SIZE).get_page(
        query.get("page")
    )
    counts = _status_counts(base, now) if filtered is not None else {}
    chips = [
        {
            "label": _("all"),
            "n": counts.get("all", 0),
            "url": _with(query, status=""),
            "on": not status,
        },
        {
            "label": _("open (on hold included)"),
            "n": sum(counts.get(s, 0) for s in selectors.STATUS_GROUPS["open"]),
            "url": _with(query, status="open"),
            "on": status == "open",
            "status": "open",
        },
    ] + [
        {
            "label": label,
            "n": counts.get(value, 0),
            "url": _with(query, status=value),
            "on": status == value,
            "status": value,
        }
        for value, label in S.choices
    ]
    return render(
        request,
        "repairs/queue.html",
        {
            "estate": estate,
            "form": form,
            "page": page,
            "rows": mark_overdue(page.object_list, now),
            "chips": chips,
            "overdue_count": counts.get("overdue", 0),
            "overdue_url": _with(query, overdue="1"),
            "page_query": _with(query),
            "export_query": _with(query),
            "heading": heading,
            "error": error,
        },
    )


@login_required
def my_tickets(request):
    """What is dispatched to me (我的工单), across my estates, nearest deadline first; start,
    hold, resume and resolve with one tap."""
    estate = current_estate(request)
    if not scoping.can(request.user, estate, "repairs.ticket.work"):
        return forbidden(request)
    now = timezone.now()
    qs = selectors.ticket_list(
        user=request.user,
        assignee=request.user,
        status=[*OPEN_STATUSES, S.ON_HOLD],
    ).order_by("resolve_due_at", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = mark_overdue(page.object_list, now)
    for ticket in rows:  # the one-tap buttons: the transition table decides
        ticket.taps = wf.allowed_actions(ticket, request.user, now=now, among=MINE_TAPS)
    # The buttons carry the ticket page's names for the same actions.
    labels = {name: ACTIONS[name].label for name in MINE_TAPS}
    return render(request, "repairs/mine.html", {"page": page, "rows": rows, "labels": labels})


EXPORT_FIELDS = (
    "number",
    "kind",
    "status",
    "priority",
    "category__name",
    "unit__number",
    "reported_at",
    "first_response_at",
    "response_due_at",
    "resolved_at",
    "resolve_due_at",
    "on_hold_since",
    "closed_at",
    "outcome",
    "reopen_count",
    "return_visited_at",
    "return_visit_rating",
)
_TIMES = {6, 7, 8, 9, 10, 11, 12, 15}


def ticket_rows(qs, *, tz, labels: dict):
    """Rows of the queue export as plain tuples read by a server-side cursor (no model
    objects): a million tickets stream in constant memory. ``labels`` translate the codes
    before streaming starts."""
    for row in qs.order_by().values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        yield [
            localtime.naive_local(v, tz) if i in _TIMES else labels.get((i, v), v)
            for i, v in enumerate(row)
        ]


def _export(request, estate, fmt: str):
    """The queue as the page shows it (its filters, or the tickets behind a rate) as CSV or
    XLSX, streamed. No personal data: the reporter's name and phone are not exported."""
    now = timezone.now()
    _form, _base, filtered, _status, _heading, error = _queue_tickets(request, estate, now)
    if filtered is None:
        return HttpResponse(error or _("Check the filters."), status=400, content_type="text/plain")
    header = [
        _("Number"),
        _("Kind"),
        _("Status"),
        _("Priority"),
        _("Category"),
        _("Unit"),
        _("Reported at"),
        _("First response at"),
        _("Response due"),
        _("Resolved at"),
        _("Resolution due"),
        _("On hold since"),
        _("Closed at"),
        _("Outcome"),
        _("Reopened"),
        _("Return visit at"),
        _("Return-visit rating"),
    ]
    labels = {}
    for index, choices in (
        (1, Ticket.Kind.choices),
        (2, Ticket.Status.choices),
        (3, Ticket.Priority.choices),
        (13, Ticket.Outcome.choices),
    ):
        labels.update({(index, value): str(label) for value, label in choices})
    stem = f"{estate.code}-tickets-{localtime.today(estate, now=now)}"
    rows = ticket_rows(filtered, tz=estate.tz, labels=labels)
    return exports.respond(fmt, header, rows, stem, _("Tickets"))


@estate_page("repairs.ticket.view")
def queue_csv(request, estate):
    return _export(request, estate, "csv")


@estate_page("repairs.ticket.view")
def queue_xlsx(request, estate):
    return _export(request, estate, "xlsx")
