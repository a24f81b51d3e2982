"""Answers of the tickets API written as JSON directly, without the schemas' round trip
(validation by pydantic, then its dump): on the busiest calls (the list, a creation) that round
trip cost more CPU than the database did. Each function here gives what its schema in
``repairs.api.schemas`` gives for the same ticket, byte for byte once rendered
(tests/repairs/test_ticket_list_page.py, tests/repairs/test_ticket_answers.py); the schemas
still describe the answers in the OpenAPI document."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import get_language

from estate.localtime import zone

_MOMENTS = (
    "reported_at",
    "first_response_at",
    "response_due_at",
    "resolved_at",
    "resolve_due_at",
    "on_hold_since",
    "closed_at",
    "cancelled_at",
    "return_visited_at",
)
_PLAIN = (
    "id",
    "number",
    "kind",
    "status",
    "priority",
    "channel",
    "common_area",
    "reporter_name",
    "major_complaint",
    "reopen_count",
    "return_visit_rating",
    "overdue",
)


def english_labels() -> bool:
    """Whether the answer's labels are English (the request's language), else Chinese."""
    return not (get_language() or "zh-hans").startswith("zh")


def list_item(row: dict, english: bool | None = None) -> dict:
    """A :class:`~repairs.api.schemas.TicketOut` from one row of
    ``repairs.selectors.ticket_list_page``: the same values
    :class:`~repairs.api.schemas.TicketFromModel` shows for the ticket, without a model
    instance, its moments already as the API writes them (ISO 8601 in the estate's zone,
    milliseconds, as Django's JSON encoder writes a datetime): the list answers it as JSON as
    it is."""
    if english is None:
        english = english_labels()
    tz = _zone(row["estate__timezone"])
    item = {name: row[name] for name in _PLAIN}
    for name in _MOMENTS:
        item[name] = _moment_json(row[name], tz)
    charge = row["service_charge"]
    item.update(
        estate=row["estate__code"],
        category=row["category__code"],
        category_name=(english and row["category__name_en"]) or row["category__name"],
        unit=row["unit__number"],
        reporter_phone=row["reporter_phone_masked"],
        assignee=row["assignee__username"],
        department=row["department__name"],
        cancel_reason=row["cancel_reason"] or None,
        outcome=row["outcome"] or None,
        service_charge=None if charge is None else f"{charge:.2f}",
    )
    return item


def ticket_detail(ticket, english: bool | None = None) -> dict:
    """:class:`~repairs.api.schemas.TicketDetailOut` of a ``Ticket`` whose estate, category,
    unit, assignee, department, history (with each entry's author and estate), photos and
    return visits are loaded: the creation's answer, written from what was just saved. The
    phone is the masked one, whoever asks, as the schema shows it (the full number is the
    logged ``reporter-phone`` call's)."""
    if english is None:
        english = english_labels()
    estate = ticket.estate
    tz = _zone(estate.timezone)
    category = ticket.category
    charge = ticket.service_charge
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "estate": estate.code,
        "kind": ticket.kind,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": category.code,
        "category_name": (english and category.name_en) or category.name,
        "channel": ticket.channel,
        "unit": ticket.unit.number if ticket.unit_id else None,
        "common_area": ticket.common_area,
        "reporter_name": ticket.reporter_name,
        "reporter_phone": ticket.reporter_phone_masked,
        "major_complaint": ticket.major_complaint,
        "assignee": ticket.assignee.get_username() if ticket.assignee_id else None,
        "department": ticket.department.name if ticket.department_id else None,
        "reported_at": _moment_json(ticket.reported_at, tz),
        "first_response_at": _moment_json(ticket.first_response_at, tz),
        "response_due_at": _moment_json(ticket.response_due_at, tz),
        "resolved_at": _moment_json(ticket.resolved_at, tz),
        "resolve_due_at": _moment_json(ticket.resolve_due_at, tz),
        "on_hold_since": _moment_json(ticket.on_hold_since, tz),
        "closed_at": _moment_json(ticket.closed_at, tz),
        "cancelled_at": _moment_json(ticket.cancelled_at, tz),
        "cancel_reason": ticket.cancel_reason or None,
        "outcome": ticket.outcome or None,
        "reopen_count": ticket.reopen_count,
        "return_visited_at": _moment_json(ticket.return_visited_at, tz),
        "return_visit_rating": ticket.return_visit_rating,
        "overdue": ticket.overdue(),
        "service_charge": None if charge is None else f"{charge:.2f}",
        "description": ticket.description,
        "tracking_code": ticket.tracking_code,
        "preferred_visit_time": _moment_json(ticket.preferred_visit_time, tz),
        "history": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "by": _author(event),
                "at": _moment_json(event.at, _zone(event.estate.timezone)),
                "note": event.note,
            }
            for event in ticket.history.all()
        ],
        "photos": [
            {
                "id": photo.pk,
                "url": reverse("repairs:ticket_photo", args=[photo.ticket_id, photo.pk]),
                "width": photo.width,
                "height": photo.height,
            }
            for photo in ticket.photos.all()
        ],
        "return_visits": [
            {
                "id": visit.pk,
                "at": _moment_json(visit.at, _zone(visit.estate.timezone)),
                "by": _author(visit),
                "by_resident": visit.by_resident,
                "reached": visit.reached,
                "solved": visit.solved,
                "rating": visit.rating,
                "comment": visit.comment,
            }
            for visit in ticket.return_visits.all()
        ],
    }


def _author(entry) -> str | None:
    """A history entry's or a visit's author as EventOut and VisitOut show it."""
    return entry.by.get_username() if entry.by_id else (entry.by_name or None)


_ZONES: dict = {}


def _zone(name: str):
    return _ZONES.get(name) or _ZONES.setdefault(name, zone(name))


def _moment_json(moment: dt.datetime | None, tz) -> str | None:
    """``estate.localtime.local`` then ``DjangoJSONEncoder``'s text of a datetime, in one step
    (a moment with no local time stays as it is, as ``local`` leaves it)."""
    if moment is None:
        return None
    try:  # noqa: SIM105 - contextlib.suppress is three calls more, ~450 times a page
        moment = moment.astimezone(tz)
    except OverflowError:
        pass
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text
