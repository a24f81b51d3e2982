"""Logging a ticket (front desk, API, the resident's form) and adding photos."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estate import localtime
from estate.errors import DomainError
from estate.fixedsql import FixedInsert, FixedSelect, db_int
from estate.models import Estate, Unit
from estate.scoping import require
from estate.validators import check_visit_time, clean_text, normalize_mobile, normalize_phone
from repairs import calendar, hooks
from repairs import workflow as wf
from repairs.models import (
    Category,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from repairs.photos import clean_photos

E = TicketEvent.EventKind
DESCRIPTION_MAX = 2000


def category_mismatch_message(kind: str, fitting: list[str]) -> str:
    """The error for a category that does not fit the kind, naming the categories that do."""
    kind_label = Ticket.Kind(kind).label
    if not fitting:
        return _("This estate has no category for %(kind)s.") % {"kind": kind_label}
    return _("Choose a category for %(kind)s: %(fitting)s.") % {
        "kind": kind_label,
        "fitting": pgettext("list separator", ", ").join(fitting),
    }


def _category_error(estate: Estate, kind: str) -> DomainError:
    fitting = Category.objects.filter(estate=estate, kind=kind, active=True).order_by("sort", "id")
    return DomainError(
        "invalid", category_mismatch_message(kind, [c.label for c in fitting]), field="category"
    )


# The lookups of every creation, their SQL written once per process (estate/fixedsql.py): at
# most one row each (unique estate, kind, code; unique estate, number), the first by id.
_CATEGORY_BY_ID = FixedSelect(
    Category,
    "{estate_id} = %s AND {kind} = %s AND {active} AND {id} = %s",
    order_by=("id",),
    limit=1,
)
_CATEGORY_BY_CODE = FixedSelect(
    Category,
    "{estate_id} = %s AND {kind} = %s AND {active} AND {code} = %s",
    order_by=("id",),
    limit=1,
)
_UNIT_BY_NUMBER = FixedSelect(Unit, "{estate_id} = %s AND {number} = %s", order_by=("id",), limit=1)
_UNIT_BY_ID = FixedSelect(Unit, "{id} = %s AND {estate_id} = %s", limit=1)
_TICKET_INSERT = FixedInsert(Ticket)


def _resolve_category(estate: Estate, kind: str, category) -> Category:
    if isinstance(category, Category):
        if category.estate_id != estate.pk or category.kind != kind or not category.active:
            raise _category_error(estate, kind)
        return category
    try:
        int(category)
    except (TypeError, ValueError):
        found = _CATEGORY_BY_CODE.first(estate.pk, kind, str(category or ""))
    else:
        pk = db_int(category)
        found = None if pk is None else _CATEGORY_BY_ID.first(estate.pk, kind, pk)
    if found is None:
        raise _category_error(estate, kind)
    return found


def _resolve_unit(estate: Estate, unit, number: str = "") -> Unit | None:
    """The unit given (an id or a Unit), else the one numbered ``number`` in the estate."""
    number = (number or "").strip()
    if (unit is None or unit == "") and number:
        found = _UNIT_BY_NUMBER.first(estate.pk, number)
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
    pk = db_int(unit_id) if str(unit_id).isdigit() else None
    found = None if pk is None else _UNIT_BY_ID.first(pk, estate.pk)
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
    opened_by_rule: str = "",
    with_detail: bool = False,
) -> Ticket:
    """Log a report. Everything is validated before anything is written; the deadlines come
    from the category's service level on the estate's calendar. ``by=None`` is a resident
    using the web form. The unit may be given by its number (``unit_number``); without a
    phone, the reporter's phone is the resident's (when a resident file is given). Staff may
    give a mobile or a landline with its area code (stored normalised, ``057188886666``).

    ``opened_by_rule``: a higher layer opens the ticket by its own rule on ``by``'s action
    (a patroller's failed item opens a rectification) and has checked ``by``'s right to take
    that action itself; ``by`` need not be one who logs tickets, and the text (which item of
    which round) is the creation's history note.

    ``with_detail``: the ticket comes back carrying its history, photos and return visits as
    they were just written (``ticket.history.all()`` ... read no database), for a caller that
    shows the new ticket at once (the API's answer). Leave it off where the object lives on
    through later changes: those lists would not follow them."""
    now = now or timezone.now()
    if by is not None and not opened_by_rule:
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
        preferred_visit_time = localtime.aware(preferred_visit_time, estate)
    check_visit_time(preferred_visit_time, now=now, field="preferred_visit_time")
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
    # Staff log callers on a landline too; the resident's own form (tracked with a code sent by
    # SMS) needs a mobile number.
    normalize = normalize_mobile if by is None else normalize_phone
    ticket.set_reporter_phone(normalize(reporter_phone, field="reporter_phone"))
    cleaned = clean_photos(photos)

    cal = calendar.for_estate(estate, around=localtime.local_date(now, estate))
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
    _TICKET_INSERT.save(ticket)
    created = wf.event(ticket, E.CREATED, by=by, at=now, note=opened_by_rule.strip()[:500])
    photo_rows = [
        TicketPhoto.objects.create(
            ticket=ticket,
            estate=estate,
            image=photo.content,
            width=photo.width,
            height=photo.height,
            uploaded_at=now,
        )
        for photo in cleaned
    ]
    if priority == Ticket.Priority.EMERGENCY or ticket.major_complaint:
        what = _("Major complaint") if ticket.major_complaint else _("Emergency")
        wf.escalate(
            estate=estate,
            title=f"{what}: {ticket.number}",
            body=f"{category.label} · {ticket.location} · {ticket.description[:200]}",
            link=wf.ticket_link(ticket),
        )
    elif by is None:  # a resident's own report: the desk accepts and dispatches it
        wf.notify_desk(
            estate=estate,
            title=_("New report from a resident: %(n)s") % {"n": ticket.number},
            body=f"{category.label} · {ticket.location} · {ticket.description[:200]}",
            link=wf.ticket_link(ticket),
        )
    hooks.ticket_created(ticket)
    if with_detail:
        created.estate = estate  # the history shows its time in the estate's zone
        _as_prefetched(ticket, "history", [created])
        _as_prefetched(ticket, "photos", photo_rows)
        _as_prefetched(ticket, "return_visits", [])
    return ticket


def _as_prefetched(ticket: Ticket, name: str, rows: list) -> None:
    """``ticket.<name>.all()`` answers ``rows`` without a query, as after
    ``prefetch_related(name)`` (Django keeps a prefetched list the same way)."""
    qs = getattr(ticket, name).all()
    qs._result_cache = list(rows)
    qs._prefetch_done = True
    ticket.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


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
