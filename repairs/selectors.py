"""Reads of tickets: the scoped list, the KPI cohort and the records behind each rate.

The metric conditions live here (``RATE_PARTS``) so that ``metrics.py`` counts exactly the
rows the drill-down lists."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi_selectors, localtime
from estate.errors import DomainError
from estate.kpi import Period, estate_lookup
from estate.models import Estate, Membership, Unit
from estate.scoping import is_company_admin, roles_of
from repairs import roles, tallies
from repairs.models import (
    RUNNING_STATUSES as OPEN_STATUSES_ALL,
)
from repairs.models import (
    CalendarDay,
    CalendarYear,
    Category,
    Department,
    ReplyTemplate,
    ReturnVisit,
    ReturnVisitSample,
    ReturnVisitSampleRun,
    Ticket,
    TicketEvent,
    TicketTally,
    overdue_candidates_q,
    overdue_q,
)
from residents.models import Resident

S = Ticket.Status
PARTS = ("numerator", "denominator")
KIND_PREFIX = {"repairs": Ticket.Kind.REPAIR, "complaints": Ticket.Kind.COMPLAINT}
# Status groups the work queue and the API filter by, beside single statuses: "open" is
# every status whose clock still runs or is held (what the dashboard counts as open).
STATUS_GROUPS = {"open": tuple(OPEN_STATUSES_ALL)}


def statuses(status: str | list | tuple | None) -> list[str] | None:
    """The statuses a ``status`` filter means: a status, several, or a group's name."""
    if not status:
        return None
    values = status if isinstance(status, list | tuple) else [status]
    return [s for value in values for s in STATUS_GROUPS.get(value, (value,))]


def visit_due_q() -> Q:
    """Tickets waiting for their return visit (回访), the front desk's calls to make: resolved
    (not closed yet) with no call that reached the resident since the resolution (a resident's
    own rating counts as one; an attempt that did not reach them does not). Internal
    rectifications have no resident to call."""
    return (
        Q(status=S.RESOLVED)
        & ~Q(kind=Ticket.Kind.RECTIFICATION)
        & (Q(return_visited_at__isnull=True) | Q(return_visited_at__lt=F("resolved_at")))
    )


def deadline_passed(due: str, now: dt.datetime) -> Q:
    """The effective deadline (moved by the time on hold) is before ``now``. While a ticket is
    on hold its deadline moves with the clock, so it has passed only if it had passed when the
    hold began."""
    return Q(on_hold_since__isnull=True, **{f"{due}__lt": now}) | Q(
        on_hold_since__isnull=False, **{f"{due}__lt": F("on_hold_since")}
    )


def rate_parts(now: dt.datetime) -> dict[str, tuple[Q, Q]]:
    """KPI.md's five ticket rates: name -> (numerator, denominator) within the cohort."""
    resolved = Q(resolved_at__isnull=False)
    return {
        "response_timely_rate": (
            Q(first_response_at__lte=F("response_due_at")),
            Q(first_response_at__isnull=False) | deadline_passed("response_due_at", now),
        ),
        "timely_rate": (
            Q(resolved_at__lte=F("resolve_due_at")),
            resolved | deadline_passed("resolve_due_at", now),
        ),
        "success_rate": (
            Q(status=S.CLOSED, outcome=Ticket.Outcome.SOLVED, reopen_count=0),
            Q(status=S.CLOSED),
        ),
        "satisfaction_rate": (
            Q(return_visit_rating__gte=4),
            Q(return_visit_rating__isnull=False),
        ),
        "return_visit_rate": (
            resolved & Q(return_visited_at__gte=F("resolved_at")),
            resolved,
        ),
    }


RATE_NAMES = (
    "response_timely_rate",
    "timely_rate",
    "success_rate",
    "satisfaction_rate",
    "return_visit_rate",
)


def ticket_cohort(
    *, estate: Estate | int | list, period: Period, kind: str | list[str]
) -> QuerySet[Ticket]:
    """KPI.md's cohort: tickets of the kind (or kinds) reported in the period, not cancelled
    (of one estate, or of a list of them for a batch of estate-months)."""
    kinds = {"kind__in": kind} if isinstance(kind, list | tuple) else {"kind": kind}
    return Ticket.objects.filter(
        **estate_lookup(estate),
        reported_at__gte=period.start,
        reported_at__lt=period.end,
        **kinds,
    ).exclude(status=S.CANCELLED)


def metric_tickets(
    *, estate: Estate, period: Period, key: str, part: str, snapshot=None
) -> QuerySet[Ticket]:
    """The tickets counted in a rate's numerator or denominator (``repairs.timely_rate``); with
    ``snapshot`` (a stored snapshot's id, of this estate and key), exactly those it counted."""
    prefix, _dot, name = key.partition(".")
    if prefix not in KIND_PREFIX or name not in RATE_NAMES:
        raise DomainError(
            "invalid", _("There is no metric %(key)s.") % {"key": key}, field="metric"
        )
    if part not in PARTS:
        raise DomainError("invalid", _("part is numerator or denominator"), field="part")
    stored = kpi_selectors.stored_records(
        estate=estate, snapshot=snapshot, key=key, part=part, model=Ticket
    )
    if stored is not None:
        return stored.filter(estate=estate)
    num, den = rate_parts(period.now)[name]
    cohort = ticket_cohort(estate=estate, period=period, kind=KIND_PREFIX[prefix])
    return cohort.filter(den & num if part == "numerator" else den)


#: What a list row shows (repairs.api.schemas.TicketOut): the page's rows are read as these
#: values, not as the ~95 columns of five joined tables made into six model instances a row.
LIST_JOINS = ("estate", "category", "unit", "assignee", "department")
LIST_VALUES = (
    "id",
    "number",
    "kind",
    "status",
    "priority",
    "channel",
    "common_area",
    "reporter_name",
    "reporter_phone_masked",
    "major_complaint",
    "reported_at",
    "first_response_at",
    "response_due_at",
    "resolved_at",
    "resolve_due_at",
    "on_hold_since",
    "closed_at",
    "cancelled_at",
    "cancel_reason",
    "outcome",
    "reopen_count",
    "return_visited_at",
    "return_visit_rating",
    "service_charge",
    "estate__code",
    "estate__timezone",
    "category__code",
    "category__name",
    "category__name_en",
    "unit__number",
    "assignee__username",
    "department__name",
)
_ORDER = ("-reported_at", "-id")


def ticket_estate_ids(user) -> list[int] | None:
    """The estates whose tickets the user may read (None: every estate). In the estates of
    :func:`own_work_estate_ids` only the tickets dispatched to the user."""
    if is_company_admin(user):
        return None
    return [e for e, role in roles_of(user).items() if role in roles.STAFF_ON_TICKETS]


def own_work_estate_ids(user) -> list[int]:
    """The estates where the user sees and works only what is dispatched to them (DOMAIN.md:
    technicians see their own work; a manager or the front desk reassigns)."""
    if is_company_admin(user):
        return []
    return [e for e, role in roles_of(user).items() if role in roles.OWN_WORK_ONLY]


def visible_tickets_q(user, within: int | None = None) -> Q | None:
    """The condition on tickets the user may see (None: all of them); ``within`` (an estate's
    id): those of that estate only, written as that estate's own condition (``estate_id = 7``,
    not ``estate_id IN (7, 9) AND estate_id = 7``, which PostgreSQL's estimates count twice)."""
    allowed = ticket_estate_ids(user)
    if within is not None:
        if allowed is None or within in allowed and within not in own_work_estate_ids(user):
            return Q(estate_id=within)
        if within in allowed:
            return Q(estate_id=within, assignee_id=user.pk)
        return Q(pk__in=[])
    if allowed is None:
        return None
    own = own_work_estate_ids(user)
    full = [e for e in allowed if e not in own]
    return Q(estate_id__in=full) | Q(estate_id__in=own, assignee_id=user.pk)


def ticket_visible(*, user, ticket: Ticket) -> bool:
    """Whether the user may see this ticket: :func:`visible_tickets_q` on one object."""
    allowed = ticket_estate_ids(user)
    if allowed is None:
        return True
    if ticket.estate_id in own_work_estate_ids(user):
        return ticket.assignee_id == user.pk
    return ticket.estate_id in allowed


def ticket_list(
    *,
    user,
    estate: Estate | None = None,
    kind: str | None = None,
    status: str | None = None,
    reported_from: dt.date | None = None,
    reported_to: dt.date | None = None,
    overdue: bool | None = None,
    assignee=None,
    category=None,
    q: str | None = None,
    visit_due: bool = False,
    now: dt.datetime | None = None,
    within: int | None = None,
) -> QuerySet[Ticket]:
    """Tickets the user may see, newest first, with everything a list row shows joined in
    (a page is a fixed number of queries). ``status``: one, several or a group of
    ``STATUS_GROUPS``; ``visit_due``: only those waiting for their return visit.
    ``reported_to`` is exclusive; dates are local to the estate (or to the server's zone
    across estates). ``within`` (an estate's id): only that estate's part of the list, dates
    still read as without it (:func:`ticket_list_page` merges the parts)."""
    qs = Ticket.objects.select_related(*LIST_JOINS)
    visible = visible_tickets_q(user, estate.pk if estate is not None else within)
    if visible is not None:
        qs = qs.filter(visible)
    tz = estate.tz if estate is not None else timezone.get_default_timezone()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status__in=statuses(status))
    if visit_due:
        qs = qs.filter(visit_due_q())
    if reported_from:
        qs = qs.filter(reported_at__gte=localtime.aware(reported_from, tz))
    if reported_to:
        qs = qs.filter(reported_at__lt=localtime.aware(reported_to, tz))
    if overdue is not None:
        cond = overdue_q(now or timezone.now())
        qs = qs.filter(cond) if overdue else qs.exclude(cond)
    if assignee is not None:
        qs = qs.filter(assignee_id=getattr(assignee, "pk", assignee))
    if category is not None:
        if isinstance(category, Category) or str(category).isdigit():
            qs = qs.filter(category_id=getattr(category, "pk", category))
        else:
            qs = qs.filter(category__code=category)
    q = (q or "").strip()
    if q:
        # The units whose number starts so, of the estates the list holds (a ticket's unit is
        # of its estate): one short walk of unit_unique_number (estate, number) per estate,
        # where joining every unit to test the number read all 150,000 (bench/plans.py).
        scope = [estate.pk] if estate is not None else [within] if within is not None else None
        scope = scope or ticket_estate_ids(user)
        units = Unit.objects.filter(number__startswith=q)
        if scope is not None:
            units = units.filter(estate_id__in=scope)
        qs = qs.filter(
            Q(number__istartswith=q)
            | Q(reporter_name__icontains=q)
            | Q(unit_id__in=units.values("id"))
        )
    return qs.order_by("-reported_at", "-id")


def ticket_list_page(*, user, offset: int, limit: int, **filters) -> tuple[list[dict], int]:
    """One page of :func:`ticket_list` (same filters, same order) and the count of the whole
    list, in three queries whatever the table size (a "deferred join"):

    1. the page's ids, a narrow query answered from ``ticket_list_idx (estate, -reported_at,
       -id)``. Across several estates on PostgreSQL, each estate's first ``offset + limit`` in
       index order, merged (``UNION ALL ... ORDER BY``: a Merge Append of one short index
       walk per estate) instead of joining every ticket of every estate and sorting them all;
    2. those rows as dicts of what a list row shows (``LIST_VALUES``, five joins made for the
       page only, ``overdue`` by ``overdue_q``'s rule), in the page's order;
    3. the count (an index-only scan).

    The three statements are the querysets below compiled once per process and shape
    (:func:`_page_statements`, ``estate.statements``); a shape they cannot be kept for runs
    the querysets themselves."""
    filters.setdefault("now", timezone.now())  # one "now" for the parts and the count
    fast = _page_statements(user, filters)
    if fast is None:
        return _ticket_list_page_orm(user=user, offset=offset, limit=limit, **filters)
    ids_statement, count_statement, tallied, values = fast
    page = {**values, "offset": offset, "limit": limit, "end": offset + limit}
    ids = [row[0] for row in ids_statement.fetch(page)]
    rows = {}
    if ids:
        statement = _rows_statement(len(ids))
        found = statement.fetch({**_id_values(ids), "now": values["now"]})
        names = statement.names
        rows = {row[0]: dict(zip(names, row, strict=True)) for row in found}
    count = count_statement.fetch(values)[0]  # from the tallies: (their sum, rows read)
    if tallied is not False and count[1] > TALLY_ROWS_FOLD:
        tallies.ask_fold(tallied)
    return [rows[pk] for pk in ids if pk in rows], count[0] or 0


def _narrow(user, offset: int, limit: int, filters: dict) -> QuerySet:
    """The page's ids (and their order key) as a queryset: see :func:`ticket_list_page`."""
    qs = ticket_list(user=user, **filters)
    estates = _list_estates(user, filters.get("estate"))
    if estates is None or len(estates) < 2 or connection.vendor != "postgresql":
        narrow = qs.order_by(*_ORDER).values_list("id", "reported_at")
    else:
        parts = [
            ticket_list(user=user, within=e, **filters)
            .order_by(*_ORDER)
            .values_list("id", "reported_at")[: offset + limit]
            for e in estates
        ]
        narrow = parts[0].union(*parts[1:], all=True).order_by(*_ORDER)
    return narrow[offset : offset + limit]


def _rows_queryset(ids: list, now) -> QuerySet:
    overdue = Case(
        When(overdue_q(now), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return Ticket.objects.filter(pk__in=ids).values(*LIST_VALUES, overdue=overdue).order_by()


def _ticket_list_page_orm(*, user, offset: int, limit: int, **filters):
    """:func:`ticket_list_page` built and compiled for this one request."""
    qs = ticket_list(user=user, **filters)
    ids = [pk for pk, _at in _narrow(user, offset, limit, filters)]
    rows = {}
    if ids:
        rows = {row["id"]: row for row in _rows_queryset(ids, filters["now"])}
    return [rows[pk] for pk in ids if pk in rows], qs.count()


# The list's statements, compiled once per process and shape ----------------------------------
_FILTERS = {
    "estate",
    "kind",
    "status",
    "reported_from",
    "reported_to",
    "overdue",
    "assignee",
    "category",
    "q",
    "visit_due",
    "now",
}
# Values no request sends, put where a request's own values go (estate.statements).
_MARKS = {
    "reported_from": dt.date(1901, 2, 3),
    "reported_to": dt.date(1902, 3, 4),
    "now": dt.datetime(1903, 4, 5, 6, 7, 8, tzinfo=dt.UTC),
    "assignee": 2_000_000_011,
    "category": 2_000_000_013,
    "category_code": "zzcategorymarkzz",
    "q": "zzqmarkzz",
}
_ID_MARK = 1_700_000_000
_INT_RANGE = range(-(2**31), 2**31)  # ids outside it: the ORM's own answer (no row)
_STATEMENTS: dict = {}
_STATEMENTS_MAX = 1024


def _remember(key, make):
    found = _STATEMENTS.get(key)
    if found is None and key not in _STATEMENTS:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = make()
    return found


def _db_value(name: str, value):
    return Ticket._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def _slot_values(filters: dict, tz) -> dict:
    """Each slot's database value for these filters (the request's or the markers)."""
    values = {"now": _db_value("reported_at", filters["now"])}
    for name in ("reported_from", "reported_to"):
        if filters.get(name):
            values[name] = _db_value("reported_at", localtime.aware(filters[name], tz))
    if filters.get("assignee") is not None:
        assignee = filters["assignee"]
        values["assignee"] = _db_value("assignee", getattr(assignee, "pk", assignee))
    category = filters.get("category")
    if category is not None:
        if isinstance(category, Category) or str(category).isdigit():
            values["category"] = _db_value("category", getattr(category, "pk", category))
        else:
            values["category_code"] = Category._meta.get_field("code").get_db_prep_value(
                category, connection, prepared=False
            )
    q = (filters.get("q") or "").strip()
    if q:
        values["q"] = connection.ops.prep_for_like_query(q)
    return values


def _page_statements(user, filters: dict):
    """(ids statement, count statement, the request's slot values), or None: a shape not
    kept (run the querysets)."""
    if not set(filters) <= _FILTERS:
        return None
    estate = filters.get("estate")
    tz = estate.tz if estate is not None else timezone.get_default_timezone()
    try:
        values = _slot_values(filters, tz)
    except (TypeError, ValueError):
        return None
    if any(values[k] not in _INT_RANGE for k in ("assignee", "category") if k in values):
        return None
    allowed = ticket_estate_ids(user)
    own = own_work_estate_ids(user)
    status = filters.get("status")
    category = filters.get("category")
    key = (
        "page",
        connection.vendor,
        None if allowed is None else tuple(sorted(allowed)),
        tuple(sorted(own)),
        user.pk if own else None,
        None if estate is None else (estate.pk, str(tz)),
        filters.get("kind") or None,
        tuple(statuses(status) or ()),
        bool(filters.get("visit_due")),
        filters.get("overdue"),
        frozenset(values) - {"now"},
        None if category is None else type(category).__name__,
    )
    made = _remember(key, lambda: _compile_page(user, filters, tz))
    if made is None:
        return None
    return (*made, values)


def _compile_page(user, filters: dict, tz):
    from estate.statements import END_MARK, LIMIT_MARK, OFFSET_MARK, compile_capture

    marked = dict(filters)
    for name in ("reported_from", "reported_to", "assignee"):
        if filters.get(name) is not None:
            marked[name] = _MARKS[name]
    category = filters.get("category")
    if category is not None:
        if isinstance(category, Category) or str(category).isdigit():
            marked["category"] = _MARKS["category"]
        else:
            marked["category"] = _MARKS["category_code"]
    if (filters.get("q") or "").strip():
        marked["q"] = _MARKS["q"]
    marked["now"] = _MARKS["now"]
    marks = _slot_values(marked, tz)
    like = {"q": marks.pop("q")} if "q" in marks else {}
    needed = set(marks) | set(like)
    if filters.get("overdue") is None:
        needed.discard("now")
    narrow = _narrow(user, OFFSET_MARK, LIMIT_MARK, marked)
    assert END_MARK == OFFSET_MARK + LIMIT_MARK
    ids = compile_capture(
        lambda: list(narrow), marks=marks, like=like, needed=needed | {"offset", "limit"}
    )
    tallied = _tallied_estates(user, filters)
    count = None
    if tallied is not False:
        tally_rows = TicketTally.objects.all()
        if tallied is not None:
            tally_rows = tally_rows.filter(estate_id__in=tallied)
        if filters.get("kind"):
            tally_rows = tally_rows.filter(kind=filters["kind"])
        if filters.get("status"):
            tally_rows = tally_rows.filter(status__in=statuses(filters["status"]))
        count = compile_capture(
            lambda: tally_rows.aggregate(n=Sum("n"), rows=Count("id")), marks={}
        )
    if count is None:
        tallied = False
        count = compile_capture(
            lambda: ticket_list(user=user, **marked).count(), marks=marks, like=like, needed=needed
        )
    if ids is None or count is None:
        return None
    return ids, count, tallied


# The list's count from the tallies (TicketTally, PostgreSQL): for a list that is every ticket of
# some estates, of a kind, in some statuses, whatever their number; a list filtered by anything
# else (dates, overdue, assignee, category, text, return visit), or holding a technician's own
# work only, counts its tickets. A count that read more tally rows than this asks for them to
# be folded (repairs.tallies), once every 10 seconds at most.
TALLY_ROWS_FOLD = 200
_TALLIED_FILTERS = {"estate", "kind", "status", "now"}


def _tallied_estates(user, filters: dict):
    """The estates whose tallies give this list's count (None: every estate), or False: the
    list is counted from its tickets."""
    if connection.vendor != "postgresql":
        return False
    if any(v not in (None, False, "") for k, v in filters.items() if k not in _TALLIED_FILTERS):
        return False
    allowed = ticket_estate_ids(user)
    own = set(own_work_estate_ids(user))
    estate = filters.get("estate")
    if estate is not None:
        if allowed is not None and estate.pk not in allowed or estate.pk in own:
            return False
        return [estate.pk]
    if allowed is None:
        return None
    if own & set(allowed):
        return False
    return sorted(allowed)


def _id_values(ids: list) -> dict:
    return {f"id{i}": pk for i, pk in enumerate(ids)}


def _rows_statement(n: int):
    """The page's rows by their ids (``n`` of them), ``overdue`` as of ``now``."""
    from estate.statements import compile_rows

    def make():
        marks_ids = [_ID_MARK + i for i in range(n)]
        marks = {f"id{i}": pk for i, pk in enumerate(marks_ids)}
        marks["now"] = _db_value("reported_at", _MARKS["now"])
        statement = compile_rows(
            _rows_queryset(marks_ids, _MARKS["now"]), marks=marks, needed=set(marks)
        )
        if statement is None:  # never for ids and a moment; the queryset would say why
            raise RuntimeError("the list's rows statement could not be kept")
        return statement

    return _remember(("rows", connection.vendor, n), make)


def _list_estates(user, estate: Estate | None) -> list[int] | None:
    """The estates a :func:`ticket_list` of ``user`` can hold (None: every estate)."""
    if estate is not None:
        return [estate.pk]
    allowed = ticket_estate_ids(user)
    return None if allowed is None else sorted(allowed)


def ticket_for(*, user, ticket_id: int) -> Ticket:
    """The ticket if the user's role in its estate may see tickets; a 404 otherwise."""
    ticket = ticket_list(user=user).filter(pk=ticket_id).first()
    if ticket is None:
        raise DomainError("not_found", _("Not found."), status=404)
    return ticket


def ticket_history(*, ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.history.select_related("by", "estate"))


def categories(
    *,
    estate: Estate,
    kind: str | None = None,
    active: bool | None = True,
    for_residents: bool = False,
) -> QuerySet[Category]:
    """An estate's ticket categories in display order (active ones only by default);
    ``for_residents``: only those a resident or the front desk may log (no internal
    rectification categories)."""
    qs = Category.objects.filter(estate=estate)
    if for_residents:
        qs = qs.exclude(kind=Ticket.Kind.RECTIFICATION)
    if active is not None:
        qs = qs.filter(active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "sort", "code")


def departments(*, estate: Estate) -> list[Department]:
    """The estate's active departments (the dispatch choices)."""
    return list(Department.objects.filter(estate=estate, active=True))


def reply_template_list(*, estate: Estate) -> QuerySet[ReplyTemplate]:
    """Every reply template of the estate, active or not (the manager's list)."""
    return ReplyTemplate.objects.filter(estate=estate).order_by("situation", "sort", "id")


def reporter_resident(*, estate: Estate, resident_id) -> Resident | None:
    """The resident file picked on the front desk form (None when none or not of the estate)."""
    if not str(resident_id or "").isdigit():
        return None
    return Resident.objects.filter(estate=estate, pk=int(resident_id)).first()


def sample_runs(*, estate: Estate) -> QuerySet[ReturnVisitSampleRun]:
    return ReturnVisitSampleRun.objects.filter(estate=estate).order_by("-period")


def ticket_detail(*, user, ticket_id: int) -> Ticket | None:
    """One ticket with its history, photos and return visits (a fixed number of queries)."""
    qs = ticket_list(user=user).prefetch_related(
        Prefetch("history", queryset=TicketEvent.objects.select_related("by", "estate")),
        Prefetch("return_visits", queryset=ReturnVisit.objects.select_related("by", "estate")),
        "photos",
    )
    return qs.filter(pk=ticket_id).first()


def tickets_to_flag(*, now: dt.datetime) -> QuerySet[Ticket]:
    """The overdue sweep: tickets past a running deadline not flagged yet. Read through the
    partial indexes on running tickets' deadlines (``overdue_candidates_q``), never a scan of
    every ticket."""
    return Ticket.objects.filter(overdue_candidates_q(now), overdue_q(now), is_overdue=False)


def tickets_to_unflag(*, now: dt.datetime) -> QuerySet[Ticket]:
    """Flagged tickets no longer overdue (resolved, resumed with a later deadline ...)."""
    return Ticket.objects.filter(is_overdue=True).exclude(overdue_q(now))


def dispatch_candidates(*, estate: Estate) -> list:
    """Who a ticket can be dispatched to: the estate's technicians first, then the desk."""
    order = {"technician": 0, "front_desk": 1, "manager": 2, "admin": 3}
    members = Membership.objects.filter(
        estate=estate, role__in=list(roles.STAFF_ON_TICKETS), user__is_active=True
    ).select_related("user")
    return [m.user for m in sorted(members, key=lambda m: (order[m.role], m.user.username))]


def sample_list(*, estate: Estate, period: str | None = None) -> QuerySet[ReturnVisitSample]:
    """The quality return-visit work list of a month (the latest when none is given), those
    still to call first. ``visited``: the ticket has a reached return visit since its
    resolution, whoever recorded it and from whichever page (the ticket page, the API, the
    resident's own rating, before or after the sample was drawn) — the same condition as the
    return-visit rate's numerator; the ticket's ``return_visited_at``/``return_visit_rating``
    are that latest visit's."""
    runs = ReturnVisitSampleRun.objects.filter(estate=estate)
    run = runs.filter(period=period).first() if period else runs.order_by("-period").first()
    if run is None:
        return ReturnVisitSample.objects.none()
    return (
        ReturnVisitSample.objects.filter(run=run)
        .annotate(visited=sample_visited())
        .select_related("run", "estate", "ticket__category", "ticket__unit")
        .order_by("visited", "ticket__number")
    )


def sample_visited():
    """Whether a sampled ticket has had its return visit (an expression on ReturnVisitSample)."""
    # CASE, not a bare comparison: a ticket never visited gives false, not NULL (which
    # PostgreSQL would sort after the true ones).
    return Case(
        When(
            Q(ticket__resolved_at__isnull=False)
            & Q(ticket__return_visited_at__gte=F("ticket__resolved_at")),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def calendar_overview(*, estate: Estate, year: int) -> dict:
    """The estate's calendar for a year: hours, dated exceptions, and whether any source
    covers the year (if not, deadlines fall back to plain weekdays and the page warns)."""
    from repairs import calendar

    record = CalendarYear.objects.filter(estate=estate, year=year).first()
    cal = calendar.for_estate(estate, around=dt.date(year, 1, 1))
    warning = None
    if record is None:
        warning = _(
            "No holiday calendar for %(y)d: deadlines count plain weekdays. Import the year "
            "or enter its holidays."
        ) % {"y": year}
    elif record.provisional:
        warning = _(
            "The holidays of %(y)d are estimated; check them against the State Council's "
            "schedule when it is published."
        ) % {"y": year}
    return {
        "year": year,
        "covered": record is not None,
        "source": record.source if record else None,
        "provisional": bool(record and record.provisional),
        "warning": warning,
        "week": cal.week,
        "days": list(CalendarDay.objects.filter(estate=estate, date__year=year).order_by("date")),
    }


def deadline_preview(
    *, estate: Estate, category: Category, priority: str, at: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The (response, resolution) deadlines a ticket logged now would get, for the front-desk
    form to show before saving."""
    from repairs import calendar

    at = at or timezone.now()
    cal = calendar.for_estate(estate, around=localtime.local_date(at, estate))
    respond_in, resolve_in = category.minutes(priority)
    business = category.runs_on_business_hours(priority)
    return (
        calendar.deadline(at, respond_in, calendar=cal, business=business),
        calendar.deadline(at, resolve_in, calendar=cal, business=business),
    )


def reply_template_render(*, template: ReplyTemplate, ticket: Ticket | None = None) -> str:
    """The template's text with ``{number}``, ``{estate}``, ``{phone}`` and ``{resolve_due}``
    filled in from the ticket (unknown placeholders are left as they are)."""
    values = {"estate": template.estate.name, "phone": template.estate.service_phone}
    if ticket is not None:
        due = localtime.local(ticket.resolve_due_at, ticket.estate)
        values |= {"number": ticket.number, "resolve_due": f"{due:%m-%d %H:%M}"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), template.text)


def reply_templates(*, estate: Estate, situation: str | None = None) -> QuerySet[ReplyTemplate]:
    qs = ReplyTemplate.objects.filter(estate=estate, active=True).select_related("estate")
    return qs.filter(situation=situation) if situation else qs


def caller_context(*, estate: Estate, unit=None, resident=None, today: dt.date) -> dict:
    """What the front desk sees beside the form once a unit or resident is picked: the unit's
    (else the resident's) open tickets with status and deadline, and the unit's arrears total.
    Two queries whatever the numbers."""
    from fees.selectors.arrears import unit_arrears

    qs = Ticket.objects.filter(estate=estate, status__in=[*OPEN_STATUSES_ALL])
    if unit is not None:
        qs = qs.filter(unit=unit)
    elif resident is not None:
        qs = qs.filter(resident=resident)
    else:
        return {"tickets": [], "arrears": None}
    tickets = list(qs.select_related("category").order_by("resolve_due_at", "id")[:10])
    arrears = unit_arrears(unit=unit, today=today)["total"] if unit is not None else None
    return {"tickets": tickets, "arrears": arrears}
