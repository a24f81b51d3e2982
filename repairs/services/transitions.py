"""Every transition of a ticket, each checked against ``repairs.workflow.TRANSITIONS`` under
the row lock, with one history entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import localtime
from estate.errors import DomainError
from estate.scoping import role_in
from estate.validators import clean_text
from repairs import calendar, hooks, roles
from repairs import workflow as wf
from repairs.models import (
    OPEN_STATUSES,
    Department,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from repairs.photos import clean_photos
from repairs.services.charges import ticket_paid_service_bill

S = Ticket.Status
E = TicketEvent.EventKind
NOTE_MAX = 500


@transaction.atomic
def ticket_accept(*, ticket: Ticket, by, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """The first response: the response deadline is judged against this moment."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "accept", by, now=now)
    old, ticket.status, ticket.first_response_at = ticket.status, S.ACCEPTED, now
    ticket.is_overdue = ticket.overdue(now)
    wf.save(ticket, "status", "first_response_at", "is_overdue")
    wf.event(ticket, E.ACCEPTED, by=by, at=now, old=old, note=note)
    return ticket


@transaction.atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    by,
    assignee=None,
    department: Department | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Hand the work to a technician and/or a department (again, to reassign). Dispatching a
    submitted ticket is also its first response."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "dispatch", by, now=now)
    if assignee is None and department is None:
        raise DomainError("invalid", _("Choose a technician or a department."), field="assignee")
    if assignee is not None and role_in(assignee, ticket.estate) not in roles.STAFF_ON_TICKETS:
        raise DomainError(
            "invalid", _("This person is not on this estate's staff."), field="assignee"
        )
    if department is not None and department.estate_id != ticket.estate_id:
        raise DomainError(
            "invalid", _("This department belongs to another estate."), field="department"
        )
    old = ticket.status
    ticket.status, ticket.assignee, ticket.department = S.DISPATCHED, assignee, department
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    ticket.is_overdue = ticket.overdue(now)
    wf.save(ticket, "status", "assignee", "department", "first_response_at", "is_overdue")
    names = [assignee.get_full_name() or assignee.get_username()] if assignee else []
    who = ", ".join(names + ([department.name] if department else []))
    wf.event(
        ticket, E.DISPATCHED, by=by, at=now, old=old, note=" · ".join(filter(None, [who, note]))
    )
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, by, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """The technician is on it."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "start", by, now=now)
    old, ticket.status = ticket.status, S.IN_PROGRESS
    wf.save(ticket, "status")
    wf.event(ticket, E.STARTED, by=by, at=now, old=old, note=note)
    return ticket


@transaction.atomic
def ticket_hold(*, ticket: Ticket, by, reason: str, now: dt.datetime | None = None) -> Ticket:
    """Stop the clock while waiting for the resident (no access to the flat, parts ...)."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, required=True)
    ticket = wf.lock(ticket)
    wf.check(ticket, "hold", by, now=now)
    old = ticket.status
    ticket.status, ticket.held_from_status, ticket.on_hold_since = S.ON_HOLD, old, now
    ticket.is_overdue = ticket.overdue(now)
    wf.save(ticket, "status", "held_from_status", "on_hold_since", "is_overdue")
    wf.event(ticket, E.HELD, by=by, at=now, old=old, note=reason)
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, by, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """Restart the clock: every deadline still running moves by the time spent on hold (on
    business hours for a business-hours ticket). A response already given keeps its deadline."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "resume", by, now=now)
    since = ticket.on_hold_since
    cal = calendar.for_estate(ticket.estate, around=localtime.local_date(since, ticket.estate))
    kw = {"calendar": cal, "business": ticket.business_hours}
    if ticket.first_response_at is None:
        ticket.response_due_at = calendar.shift(ticket.response_due_at, since, now, **kw)
    ticket.resolve_due_at = calendar.shift(ticket.resolve_due_at, since, now, **kw)
    ticket.status, ticket.held_from_status, ticket.on_hold_since = ticket.held_from_status, "", None
    ticket.is_overdue = ticket.overdue(now)
    wf.save(
        ticket,
        "status",
        "held_from_status",
        "on_hold_since",
        "response_due_at",
        "resolve_due_at",
        "is_overdue",
    )
    wf.event(ticket, E.RESUMED, by=by, at=now, old=S.ON_HOLD, note=note)
    return ticket


@transaction.atomic
def ticket_resolve(
    *,
    ticket: Ticket,
    by,
    note: str = "",
    photos=(),
    note_required: bool = False,
    now: dt.datetime | None = None,
) -> Ticket:
    """The work is done; the resolution deadline is judged against this moment. ``photos``:
    pictures of the finished work (optional; the ticket holds at most three photos).
    ``note_required``: the completion note must be given (the ticket page and the API ask for
    it; a paid-service order resolved from its own page goes without). Higher layers act on
    it through ``hooks.ticket_resolved`` (a paid-service order bills its price)."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX, required=note_required)
    cleaned = clean_photos(photos) if photos else []
    ticket = wf.lock(ticket)
    wf.check(ticket, "resolve", by, now=now)
    room = wf.MAX_PHOTOS - ticket.photos.count()
    if len(cleaned) > room:
        raise DomainError(
            "invalid",
            _("This ticket has room for %(n)d more photos.") % {"n": max(room, 0)},
            field="photos",
        )
    old, ticket.status, ticket.resolved_at, ticket.is_overdue = (
        ticket.status,
        S.RESOLVED,
        now,
        False,
    )
    wf.save(ticket, "status", "resolved_at", "is_overdue")
    wf.event(ticket, E.RESOLVED, by=by, at=now, old=old, note=note)
    for photo in cleaned:
        TicketPhoto.objects.create(
            ticket=ticket,
            estate_id=ticket.estate_id,
            image=photo.content,
            width=photo.width,
            height=photo.height,
            uploaded_at=now,
        )
        wf.event(ticket, E.PHOTO, by=by, at=now)
    hooks.ticket_resolved(ticket, by=by, now=now)
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, by, outcome: str, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """Close after the return visit, as solved or not solved. A paid service is billed."""
    now = now or timezone.now()
    outcome = wf.choice(outcome, Ticket.Outcome, "outcome")
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "close", by, now=now)
    old, ticket.status, ticket.outcome, ticket.closed_at = ticket.status, S.CLOSED, outcome, now
    wf.save(ticket, "status", "outcome", "closed_at")
    wf.event(ticket, E.CLOSED, by=by, at=now, old=old, note=note or ticket.get_outcome_display())
    if ticket.service_charge and ticket.unit_id and ticket.charge_billed_at is None:
        ticket_paid_service_bill(ticket=ticket, by=by, now=now)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, by=None, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """The problem is back: reopen a resolved or closed ticket within the window. Its
    resolution is cleared until it is resolved again, and it counts in ``reopen_count``."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, required=True)
    ticket = wf.lock(ticket)
    # Staff reopen; the resident (``by=None``) says it is not solved: both within the window.
    wf.check(ticket, "reopen" if by is not None else "not_solved", by, now=now)
    old = ticket.status
    ticket.status = S.DISPATCHED if ticket.assignee_id or ticket.department_id else S.ACCEPTED
    ticket.resolved_at = ticket.closed_at = None
    ticket.outcome = ""
    ticket.reopen_count += 1
    ticket.is_overdue = ticket.overdue(now)
    wf.save(ticket, "status", "resolved_at", "closed_at", "outcome", "reopen_count", "is_overdue")
    wf.event(ticket, E.REOPENED, by=by, at=now, old=old, note=reason)
    return ticket


@transaction.atomic
def ticket_cancel(
    *, ticket: Ticket, by, reason: str, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """Cancel as a duplicate or invalid; a cancelled ticket leaves every rate."""
    now = now or timezone.now()
    reason = wf.choice(reason, Ticket.CancelReason, "reason")
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "cancel", by, now=now)
    old = ticket.status
    ticket.status, ticket.cancel_reason, ticket.cancelled_at = S.CANCELLED, reason, now
    ticket.on_hold_since, ticket.held_from_status, ticket.is_overdue = None, "", False
    wf.save(
        ticket,
        "status",
        "cancel_reason",
        "cancelled_at",
        "on_hold_since",
        "held_from_status",
        "is_overdue",
    )
    label = ticket.get_cancel_reason_display()
    wf.event(
        ticket, E.CANCELLED, by=by, at=now, old=old, note=f"{label}: {note}" if note else label
    )
    return ticket


@transaction.atomic
def ticket_restore(*, ticket: Ticket, by, reason: str, now: dt.datetime | None = None) -> Ticket:
    """Undo a cancellation made by mistake (a manager): the ticket returns to the status it
    had when it was cancelled (one cancelled on hold returns to the status before the hold,
    the hold having ended with the cancellation), its deadlines as they were, and it counts in
    every rate again. One history entry, with the reason."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, required=True)
    ticket = wf.lock(ticket)
    wf.check(ticket, "restore", by, now=now)
    events = ticket.history.order_by("-at", "-id")
    cancelled = events.filter(kind=E.CANCELLED).first()
    back = cancelled.from_status if cancelled is not None else ""
    if back == S.ON_HOLD:
        held = events.filter(kind=E.HELD, at__lte=cancelled.at).first()
        back = held.from_status if held is not None else ""
    if back not in OPEN_STATUSES:
        back = S.DISPATCHED if ticket.assignee_id or ticket.department_id else S.SUBMITTED
    ticket.status, ticket.cancel_reason, ticket.cancelled_at = back, "", None
    ticket.is_overdue = ticket.overdue(now)
    wf.save(ticket, "status", "cancel_reason", "cancelled_at", "is_overdue")
    wf.event(ticket, E.RESTORED, by=by, at=now, old=S.CANCELLED, note=reason)
    return ticket
