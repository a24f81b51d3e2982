"""Everything that can happen to a ticket: logging it, every transition, return visits,
the paid-service charge, overdue flagging and escalation.

Each transition locks the ticket row (``select_for_update``), checks that it is allowed from
the current status (409 ``invalid_transition`` otherwise) and writes one history entry, so of
twenty concurrent "resolve" calls exactly one wins. ``by`` is the staff member acting; ``None``
is the resident (only where a resident may act) or the system. ``now`` defaults to the clock
and exists for imports, demo data and tests.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.scoping import require, role_in
from estate.validators import clean_text, normalize_mobile
from repairs import calendar, roles, selectors
from repairs import workflow as wf
from repairs.models import (
    Category,
    Department,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from repairs.photos import clean_photos
from repairs.visits import (  # noqa: F401  (part of this module's interface)
    return_visit_record,
    return_visit_sample_create,
    return_visit_samples_create_all,
    ticket_rate_by_resident,
)

S = Ticket.Status
E = TicketEvent.EventKind
DESCRIPTION_MAX = 2000
NOTE_MAX = 500


def _resolve_category(estate: Estate, kind: str, category) -> Category:
    error = DomainError(
        "invalid", _("Choose a category of this estate for this kind of ticket."), field="category"
    )
    if isinstance(category, Category):
        if category.estate_id != estate.pk or category.kind != kind or not category.active:
            raise error
        return category
    try:
        lookup = {"pk": int(category)}
    except (TypeError, ValueError):
        lookup = {"code": str(category or "")}
    found = Category.objects.filter(estate=estate, kind=kind, active=True, **lookup).first()
    if found is None:
        raise error
    return found


def _resolve_unit(estate: Estate, unit, number: str = "") -> Unit | None:
    """The unit given (an id or a Unit), else the one numbered ``number`` in the estate."""
    number = (number or "").strip()
    if (unit is None or unit == "") and number:
        found = Unit.objects.filter(estate=estate, number=number).first()
        if found is None:
            raise DomainError(
                "invalid",
                _("There is no unit %(n)s in this estate.") % {"n": number[:50]},
                field="unit_number",
            )
        return found
    if unit is None or unit == "":
        return None
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    found = (
        Unit.objects.filter(pk=unit_id, estate=estate).first() if str(unit_id).isdigit() else None
    )
    if found is None:
        raise DomainError("invalid", _("This unit does not belong to this estate."), field="unit")
    return found


def _resolve_resident(estate: Estate, resident):
    """A resident file of this estate, given as the object or its id (None when not given)."""
    if resident is None or resident == "":
        return None
    from residents.models import Resident

    if not isinstance(resident, Resident):
        found = None
        if str(resident).isdigit():
            found = Resident.objects.filter(estate=estate, pk=int(resident)).first()
        if found is None:
            raise DomainError("invalid", _("No such resident in this estate."), field="resident")
        return found
    if resident.estate_id != estate.pk:
        raise DomainError(
            "invalid", _("This resident belongs to another estate."), field="resident"
        )
    return resident


# Logging a ticket ------------------------------------------------------------------------------
@transaction.atomic
def ticket_create(
    *,
    estate: Estate,
    kind: str,
    category,
    priority: str,
    channel: str,
    description: str,
    reporter_name: str,
    reporter_phone: str = "",
    unit=None,
    unit_number: str = "",
    common_area: str = "",
    resident=None,
    photos=(),
    major_complaint: bool = False,
    preferred_visit_time: dt.datetime | None = None,
    by=None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Log a report. Everything is validated before anything is written; the deadlines come
    from the category's service level on the estate's calendar. ``by=None`` is a resident
    using the web form. The unit may be given by its number (``unit_number``); without a
    phone, the reporter's phone is the resident's (when a resident file is given)."""
    now = now or timezone.now()
    if by is not None:
        require(by, estate, "repairs.ticket.create")
    kind = wf.choice(kind, Ticket.Kind, "kind")
    priority = wf.choice(priority, Ticket.Priority, "priority")
    channel = (
        Ticket.Channel.WEB_FORM if by is None else wf.choice(channel, Ticket.Channel, "channel")
    )
    category = _resolve_category(estate, kind, category)
    unit = _resolve_unit(estate, unit, unit_number)
    common_area = clean_text(common_area, field="common_area", max_length=100)
    if kind == Ticket.Kind.REPAIR and unit is None and not common_area:
        raise DomainError(
            "invalid", _("Give the unit or the common area to be repaired."), field="unit"
        )
    resident = _resolve_resident(estate, resident)
    if not (reporter_phone or "").strip() and resident is not None:
        reporter_phone = resident.phone
    if major_complaint and kind != Ticket.Kind.COMPLAINT:
        raise DomainError(
            "invalid", _("Only a complaint can be a major complaint."), field="major_complaint"
        )
    if preferred_visit_time is not None and timezone.is_naive(preferred_visit_time):
        preferred_visit_time = timezone.make_aware(preferred_visit_time, estate.tz)
    ticket = Ticket(
        estate=estate,
        kind=kind,
        category=category,
        priority=priority,
        channel=channel,
        unit=unit,
        common_area=common_area,
        resident=resident,
        reporter_name=clean_text(
            reporter_name, field="reporter_name", max_length=50, required=True
        ),
        description=clean_text(
            description, field="description", max_length=DESCRIPTION_MAX, required=True
        ),
        major_complaint=bool(major_complaint),
        preferred_visit_time=preferred_visit_time,
        reported_at=now,
        created_by=by,
    )
    ticket.set_reporter_phone(normalize_mobile(reporter_phone, field="reporter_phone"))
    cleaned = clean_photos(photos)

    cal = calendar.for_estate(estate, around=now.astimezone(estate.tz).date())
    respond_in, resolve_in = category.minutes(priority)
    ticket.business_hours = category.runs_on_business_hours(priority)
    ticket.response_due_at = calendar.deadline(
        now, respond_in, calendar=cal, business=ticket.business_hours
    )
    ticket.resolve_due_at = calendar.deadline(
        now, resolve_in, calendar=cal, business=ticket.business_hours
    )
    ticket.number = wf.next_number(estate, kind, now)
    ticket.tracking_code = secrets.token_urlsafe(16)
    ticket.save()
    wf.event(ticket, E.CREATED, by=by, at=now)
    for photo in cleaned:
        TicketPhoto.objects.create(
            ticket=ticket,
            estate=estate,
            image=photo.content,
            width=photo.width,
            height=photo.height,
            uploaded_at=now,
        )
    if priority == Ticket.Priority.EMERGENCY or ticket.major_complaint:
        what = _("Major complaint") if ticket.major_complaint else _("Emergency")
        wf.escalate(
            estate=estate,
            title=f"{what}: {ticket.number}",
            body=f"{category.label} · {ticket.location} · {ticket.description[:200]}",
            link=wf.ticket_link(ticket),
        )
    return ticket


@transaction.atomic
def ticket_photo_add(*, ticket: Ticket, photo, by, now: dt.datetime | None = None) -> TicketPhoto:
    """Attach one more photo (at most three per ticket)."""
    now = now or timezone.now()
    ticket = wf.lock(ticket)
    wf.check(ticket, "photo", by, now=now)
    (clean,) = clean_photos([photo])
    row = TicketPhoto.objects.create(
        ticket=ticket,
        estate_id=ticket.estate_id,
        image=clean.content,
        width=clean.width,
        height=clean.height,
        uploaded_at=now,
    )
    wf.event(ticket, E.PHOTO, by=by, at=now)
    return row


# The workflow ----------------------------------------------------------------------------------
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
    cal = calendar.for_estate(ticket.estate, around=since.astimezone(ticket.estate.tz).date())
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
def ticket_resolve(*, ticket: Ticket, by, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """The work is done; the resolution deadline is judged against this moment."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "resolve", by, now=now)
    old, ticket.status, ticket.resolved_at, ticket.is_overdue = (
        ticket.status,
        S.RESOLVED,
        now,
        False,
    )
    wf.save(ticket, "status", "resolved_at", "is_overdue")
    wf.event(ticket, E.RESOLVED, by=by, at=now, old=old, note=note)
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


# Paid services (特约服务) -------------------------------------------------------------------------
@transaction.atomic
def ticket_charge_set(
    *, ticket: Ticket, by, amount, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """Make a repair inside a unit a paid service (or clear the charge with ``None``). The
    charge becomes a bill when the ticket is closed."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    if amount is not None and amount != "":
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            raise DomainError("invalid", _("Enter an amount in yuan."), field="amount") from None
        if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
            raise DomainError(
                "invalid", _("Enter a positive amount with at most 2 decimals."), field="amount"
            )
        if amount >= Decimal("1e10"):
            raise DomainError("invalid", _("This amount is too large."), field="amount")
    else:
        amount = None
    ticket = wf.lock(ticket)
    wf.check(ticket, "charge", by, now=now)
    ticket.service_charge = amount
    wf.save(ticket, "service_charge")
    wf.event(
        ticket, E.CHARGE, by=by, at=now, note=" ".join(filter(None, [str(amount or "—"), note]))
    )
    return ticket


def ticket_paid_service_bill(*, ticket: Ticket, by, now: dt.datetime | None = None):
    """Turn a closed paid service into a one-off bill in fees/ (called by ``ticket_close``)."""
    from fees.services import bill_one_off_create

    bill = bill_one_off_create(
        estate=ticket.estate,
        unit=ticket.unit,
        amount=ticket.service_charge,
        kind="paid_service",
        description=_("Paid service %(number)s: %(category)s")
        % {"number": ticket.number, "category": ticket.category.label},
        source_ref=ticket.number,
        by=by,
    )
    ticket.charge_billed_at = now or timezone.now()
    wf.save(ticket, "charge_billed_at")
    return bill


# Periodic work ---------------------------------------------------------------------------------
def tickets_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag tickets that just passed a running deadline (one history entry each, one notice
    per estate to its managers) and unflag those no longer overdue. Running it twice, or
    twice at once, flags and notifies once. Returns how many were flagged."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            selectors.tickets_to_flag(now=now)
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", "estate_id", "number")
        )
        ids = [r[0] for r in rows]
        Ticket.objects.filter(pk__in=ids).update(is_overdue=True)
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket_id=i, estate_id=e, kind=E.OVERDUE, at=now) for i, e, _n in rows],
            batch_size=2000,
        )
        by_estate: dict[int, list[str]] = {}
        for _i, estate_id, number in rows:
            by_estate.setdefault(estate_id, []).append(number)
        for estate in Estate.objects.filter(pk__in=list(by_estate)):
            numbers = by_estate[estate.pk]
            wf.escalate(
                estate=estate,
                title=_("%(n)d tickets became overdue") % {"n": len(numbers)},
                body=", ".join(numbers[:50]) + (" …" if len(numbers) > 50 else ""),
                link=f"{reverse('repairs:queue')}?overdue=1",
            )
    selectors.tickets_to_unflag(now=now).update(is_overdue=False)
    return len(rows)
