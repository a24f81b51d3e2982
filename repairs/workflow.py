"""The rules every ticket write shares: the transition table (who may do what from which
status, and what it needs) with its predicates, the row lock, the history entry, validation of
choices, numbering and escalation to managers.

Used by the services in ``repairs/services/``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate.errors import DomainError
from estate.fixedsql import FixedInsert
from estate.models import Estate, Role
from estate.numbering import sequence_next
from estate.scoping import can, is_company_admin, require, role_in
from estate.services import notify_roles
from repairs.models import OPEN_STATUSES, Ticket, TicketEvent
from repairs.roles import OWN_WORK_ONLY

NUMBER_PREFIX = {
    Ticket.Kind.REPAIR: "BX",
    Ticket.Kind.COMPLAINT: "TS",
    Ticket.Kind.SUGGESTION: "JY",
    Ticket.Kind.RECTIFICATION: "ZG",
}

ACTION_LABELS = {
    "accept": gettext_lazy("accepted"),
    "dispatch": gettext_lazy("dispatched"),
    "start": gettext_lazy("started"),
    "hold": gettext_lazy("put on hold"),
    "resume": gettext_lazy("resumed"),
    "resolve": gettext_lazy("resolved"),
    "close": gettext_lazy("closed"),
    "reopen": gettext_lazy("reopened"),
    "cancel": gettext_lazy("cancelled"),
    "restore": gettext_lazy("restored"),
    "visit": gettext_lazy("given a return visit"),
    "charge": gettext_lazy("given a paid-service charge"),
    "photo": gettext_lazy("given another photo"),
    "rate": gettext_lazy("rated"),
    "not_solved": gettext_lazy("reopened"),
}

S = Ticket.Status
OPEN = frozenset(OPEN_STATUSES)
OPEN_OR_HELD = OPEN | {S.ON_HOLD}
ENDED = frozenset({S.RESOLVED, S.CLOSED})
# ``who`` of an action only the resident takes (on the public tracking page, no account).
RESIDENT = "resident"
# ``to`` of the actions whose target depends on the ticket.
BEFORE_HOLD = "the status before the hold"
BACK_TO_WORK = "dispatched if someone was dispatched, else accepted"
BEFORE_CANCEL = "the status before the cancellation (before the hold, if it was on hold)"
MAX_PHOTOS = 3


def reopen_window() -> dt.timedelta:
    """How long after resolution or closing a ticket may be reopened (default 7 days)."""
    return dt.timedelta(days=getattr(settings, "REPAIRS_REOPEN_WINDOW_DAYS", 7))


def _in_window(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    ended = ticket.closed_at or ticket.resolved_at
    if ended is not None and now <= ended + reopen_window():
        return None
    return DomainError(
        "invalid_transition",
        _("Ticket %(number)s can no longer be reopened (%(days)d days after it ended).")
        % {"number": ticket.number, "days": reopen_window().days},
        field="status",
    )


def _chargeable(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    if ticket.kind != Ticket.Kind.REPAIR or ticket.unit_id is None:
        return DomainError(
            "invalid_transition",
            _("Only a repair inside a unit can be a paid service."),
            field="amount",
        )
    if ticket.charge_billed_at is not None:
        return DomainError(
            "invalid_transition", _("The charge of a closed ticket cannot change."), field="amount"
        )
    return None


def _photo_room(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    # ``.all()`` so that a page which prefetched the photos asks no query.
    if len(ticket.photos.all()) < MAX_PHOTOS:
        return None
    return DomainError(
        "invalid_transition", _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos"
    )


def _startable(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    if not ticket.start_blocked:
        return None
    return DomainError(
        "start_blocked",
        _("Work cannot start yet: it waits for the resident's confirmation."),
        field="status",
    )


def _unrated(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    since = ticket.resolved_at or ticket.reported_at
    if not ticket.return_visits.filter(by_resident=True, at__gte=since).exists():
        return None
    return DomainError("conflict", _("This ticket has already been rated."), field="rating")


@dataclass(frozen=True)
class Transition:
    """One row of the table: from which statuses, to which, who may, what it needs, and any
    further condition (``guard``: None when allowed, else the refusal)."""

    action: str
    sources: frozenset
    to: str | None  # None: the status does not change
    who: str  # a role-matrix action (repairs/roles.py), or RESIDENT
    needs: tuple[str, ...] = ()  # inputs: note, reason, outcome, assignee, photo, charge, rating
    guard: Callable[[Ticket, dt.datetime], DomainError | None] | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


T = Transition
# What can happen to a ticket: the services enforce this table, every page asks it which
# buttons to show (staff ticket page, work queue, my tickets, the public tracking page).
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # action        from                         to             who                        needs                 guard
        T("accept",     {S.SUBMITTED},               S.ACCEPTED,    "repairs.ticket.dispatch", ("note",),            None),
        T("dispatch",   OPEN,                        S.DISPATCHED,  "repairs.ticket.dispatch", ("assignee", "note"), None),
        T("start",      {S.DISPATCHED},              S.IN_PROGRESS, "repairs.ticket.work",     ("note",),            _startable),
        T("hold",       OPEN,                        S.ON_HOLD,     "repairs.ticket.work",     ("reason",),          None),
        T("resume",     {S.ON_HOLD},                 BEFORE_HOLD,   "repairs.ticket.work",     ("note",),            None),
        T("resolve",    OPEN - {S.SUBMITTED},        S.RESOLVED,    "repairs.ticket.work",     ("note",),            _startable),
        T("close",      {S.RESOLVED},                S.CLOSED,      "repairs.ticket.close",    ("outcome", "note"),  None),
        T("reopen",     ENDED,                       BACK_TO_WORK,  "repairs.ticket.reopen",   ("reason",),          _in_window),
        T("cancel",     OPEN_OR_HELD,                S.CANCELLED,   "repairs.ticket.cancel",   ("reason", "note"),   None),
        T("restore",    {S.CANCELLED},               BEFORE_CANCEL, "repairs.ticket.restore",  ("reason",),          None),
        T("visit",      ENDED,                       None,          "repairs.return_visit",    ("rating", "note"),   None),
        T("charge",     OPEN_OR_HELD | {S.RESOLVED}, None,          "repairs.ticket.charge",   ("charge", "note"),   _chargeable),
        T("photo",      OPEN_OR_HELD | {S.RESOLVED}, None,          "repairs.ticket.work",     ("photo",),           _photo_room),
        # The resident, on the public tracking page.
        T("rate",       ENDED,                       None,          RESIDENT,                  ("rating",),          _unrated),
        T("not_solved", ENDED,                       BACK_TO_WORK,  RESIDENT,                  (),                   _in_window),
    )
}  # fmt: skip
STAFF_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.who != RESIDENT)
RESIDENT_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.who == RESIDENT)


def refusal(
    ticket: Ticket, action: str, user, *, now: dt.datetime | None = None
) -> DomainError | None:
    """Why ``user`` (None: the resident) may not take ``action`` on the ticket as it stands,
    or None when the table allows it. The role comes first (403), then the status (409), then
    the action's own condition."""
    t = TRANSITIONS[action]
    if t.who == RESIDENT:
        if user is not None:
            return DomainError("forbidden", _("Only the resident may do this."), status=403)
    elif user is None:
        return DomainError("forbidden", _("Only staff may do this."), status=403)
    elif not can(user, ticket.estate_id, t.who):
        return DomainError("forbidden", _("Your role does not allow this."), status=403)
    elif (
        role_in(user, ticket.estate_id) in OWN_WORK_ONLY
        and not is_company_admin(user)
        and ticket.assignee_id != user.pk
    ):
        return DomainError("not_found", _("Not found."), status=404)
    if ticket.status not in t.sources:
        return DomainError(
            "invalid_transition",
            _("Ticket %(number)s is %(status)s; it cannot be %(action)s.")
            % {
                "number": ticket.number,
                "status": ticket.get_status_display(),
                "action": ACTION_LABELS[action],
            },
            field="status",
        )
    return t.guard(ticket, now or timezone.now()) if t.guard else None


def check(ticket: Ticket, action: str, user, *, now: dt.datetime | None = None) -> None:
    """Raise the refusal, if any (the services call this under the row lock)."""
    error = refusal(ticket, action, user, now=now)
    if error is not None:
        raise error


def allowed(ticket: Ticket, action: str, user, *, now: dt.datetime | None = None) -> bool:
    return refusal(ticket, action, user, now=now) is None


def allowed_actions(
    ticket: Ticket, user, *, now: dt.datetime | None = None, among=STAFF_ACTIONS
) -> list[str]:
    """The staff actions ``user`` may take on the ticket now, in the table's order (only
    those ``among`` a page's buttons, so that a list page asks no per-row query)."""
    now = now or timezone.now()
    return [a for a in STAFF_ACTIONS if a in among and allowed(ticket, a, user, now=now)]


def resident_actions(ticket: Ticket, *, now: dt.datetime | None = None) -> list[str]:
    """What the resident may do on the tracking page now (rate, say it is not solved)."""
    now = now or timezone.now()
    return [a for a in RESIDENT_ACTIONS if allowed(ticket, a, None, now=now)]


def _predicate(action: str):
    def predicate(ticket: Ticket, user, *, now: dt.datetime | None = None) -> bool:
        return allowed(ticket, action, user, now=now)

    predicate.__name__ = f"can_{action}"
    predicate.__doc__ = f"Whether ``user`` may {action} the ticket now (TRANSITIONS)."
    return predicate


can_accept = _predicate("accept")
can_dispatch = _predicate("dispatch")
can_start = _predicate("start")
can_hold = _predicate("hold")
can_resume = _predicate("resume")
can_resolve = _predicate("resolve")
can_close = _predicate("close")
can_reopen = _predicate("reopen")
can_cancel = _predicate("cancel")
can_restore = _predicate("restore")
can_visit = _predicate("visit")
can_charge = _predicate("charge")
can_photo = _predicate("photo")
can_rate = _predicate("rate")
can_not_solved = _predicate("not_solved")


def lock(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock held until the transaction ends."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("estate", "category")
        .get(pk=ticket.pk)
    )


def staff(by, estate: Estate, action: str) -> None:
    """Staff only (``by`` set), and only with a role that allows the action (for writes
    outside the ticket table, e.g. the configuration)."""
    if by is None:
        raise DomainError("forbidden", _("Only staff may do this."), status=403)
    require(by, estate, action)


_EVENT_INSERT = FixedInsert(TicketEvent)


def event(ticket: Ticket, kind: str, *, by, at, old: str = "", note: str = "") -> TicketEvent:
    """One history entry; ``old`` is the status before a transition. Every write of a ticket
    writes one: its INSERT is written once per process (estate/fixedsql.py)."""
    return _EVENT_INSERT.save(
        TicketEvent(
            ticket=ticket,
            estate_id=ticket.estate_id,
            kind=kind,
            from_status=old,
            to_status=ticket.status if old or kind == TicketEvent.EventKind.CREATED else "",
            by=by,
            at=at,
            note=note,
        )
    )


def save(ticket: Ticket, *fields: str) -> None:
    ticket.save(update_fields=[*fields, "updated_at"])


def choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            "invalid",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": repr(value), "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def rating(value, field: str = "rating") -> int | None:
    """A 1-5 rating, or None when not given."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5 or str(value).strip() != str(number):
        raise DomainError("invalid", _("A rating is a whole number from 1 to 5."), field=field)
    return number


def ticket_link(ticket: Ticket) -> str:
    return reverse("repairs:ticket_detail", args=[ticket.pk])


# Who must act on a new report, an emergency, a major complaint or an overdue ticket.
ACTORS = [Role.FRONT_DESK, Role.MANAGER, Role.ADMIN]


def notify_desk(*, estate: Estate, title: str, body: str, link: str) -> None:
    """An in-app notice to the front desk and the managers of the estate."""
    notify_roles(estate=estate, roles=ACTORS, title=title, body=body, link=link)


def escalate(*, estate: Estate, title: str, body: str, link: str) -> None:
    """The front desk and the managers get an in-app notice; managers also an e-mail (after
    commit) where they have an address and Django's mail backend is configured."""
    notify_desk(estate=estate, title=title, body=body, link=link)
    emails = list(
        get_user_model()
        .objects.filter(
            memberships__estate=estate,
            memberships__role__in=[Role.MANAGER, Role.ADMIN],
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if emails:
        transaction.on_commit(
            lambda: send_mail(title, f"{body}\n{link}", None, emails, fail_silently=True)
        )


def next_number(estate: Estate, kind: str, at: dt.datetime) -> str:
    """``BX-HY01-2610-0042``: kind, estate, local year and month, sequence. The counter row
    stays locked until the creating transaction ends, so two tickets never share a number."""
    prefix = NUMBER_PREFIX[kind]
    month = at.astimezone(estate.tz).strftime("%y%m")
    last = sequence_next(estate=estate, name=f"repairs:{prefix}-{month}")
    return f"{prefix}-{estate.code}-{month}-{last:04d}"
