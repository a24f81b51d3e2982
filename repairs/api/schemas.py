"""Schemas of the tickets API (repairs/api/). Datetimes are shown in the estate's zone."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Schema
from pydantic import BaseModel, Field

from estate.schemas import Day, EstateCode, Moment, TimeOfDay, local


def _local(name: str):
    """A resolver showing a datetime attribute in the estate's zone."""
    return staticmethod(lambda obj: local(getattr(obj, name), obj.estate.tz))


# A ticket as a list shows it. A plain model: the list writes its items as dicts
# (repairs.api.answers.list_item), not field by field through ninja's getter; TicketFromModel
# is the same item read from a Ticket. (No docstring: it would become the OpenAPI description.)
class TicketOut(BaseModel):
    id: int
    number: str = Field(examples=["BX-HY01-2610-0042"])
    estate: str
    kind: Literal["repair", "complaint", "suggestion", "rectification"]
    status: str = Field(examples=["dispatched"])
    priority: Literal["normal", "urgent", "emergency"]
    category: str = Field(description="category code", examples=["plumbing"])
    category_name: str
    channel: str
    unit: str | None = Field(None, description="unit number, e.g. 3-2-1501")
    common_area: str
    reporter_name: str
    reporter_phone: str = Field(description="masked, e.g. 138****5678")
    major_complaint: bool
    assignee: str | None = Field(None, description="username of the technician")
    department: str | None = None
    reported_at: dt.datetime
    first_response_at: dt.datetime | None
    response_due_at: dt.datetime
    resolved_at: dt.datetime | None
    resolve_due_at: dt.datetime
    on_hold_since: dt.datetime | None = Field(
        description="while on hold: when the hold began (the clock stopped then)"
    )
    closed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str | None
    outcome: Literal["solved", "not_solved"] | None
    reopen_count: int
    return_visited_at: dt.datetime | None
    return_visit_rating: int | None
    overdue: bool
    service_charge: str | None = Field(None, description="CNY, a paid service's charge")


class TicketFromModel(TicketOut, Schema):
    """:class:`TicketOut` read from a ``Ticket`` (with its estate, category, unit, assignee and
    department loaded): the detail's base, and the reference ``repairs.api.answers`` is
    tested against."""

    resolve_reported_at = _local("reported_at")
    resolve_first_response_at = _local("first_response_at")
    resolve_response_due_at = _local("response_due_at")
    resolve_resolved_at = _local("resolved_at")
    resolve_resolve_due_at = _local("resolve_due_at")
    resolve_on_hold_since = _local("on_hold_since")
    resolve_closed_at = _local("closed_at")
    resolve_cancelled_at = _local("cancelled_at")
    resolve_return_visited_at = _local("return_visited_at")

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.label

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.number if obj.unit_id else None

    @staticmethod
    def resolve_reporter_phone(obj) -> str:
        return obj.reporter_phone_masked

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.get_username() if obj.assignee_id else None

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_outcome(obj) -> str | None:
        return obj.outcome or None

    @staticmethod
    def resolve_cancel_reason(obj) -> str | None:
        return obj.cancel_reason or None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.overdue()

    @staticmethod
    def resolve_service_charge(obj) -> str | None:
        return None if obj.service_charge is None else f"{obj.service_charge:.2f}"


class TicketPage(Schema):
    items: list[TicketOut]
    count: int


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    by: str | None = Field(None, description="username; null for the resident or the system")
    at: dt.datetime
    note: str

    resolve_at = _local("at")

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.get_username() if obj.by_id else (obj.by_name or None)


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(obj) -> str:
        """The estate-scoped photo view (staff who may see the ticket), never ``/media/``:
        media files are not served in production and would bypass scoping if they were."""
        return reverse("repairs:ticket_photo", args=[obj.ticket_id, obj.pk])


class VisitOut(Schema):
    id: int
    at: dt.datetime
    by: str | None
    by_resident: bool
    reached: bool
    solved: bool | None
    rating: int | None
    comment: str

    resolve_at = _local("at")

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.get_username() if obj.by_id else (obj.by_name or None)


class TicketDetailOut(TicketFromModel):
    description: str
    tracking_code: str = Field(description="give it to the resident to follow the ticket")
    preferred_visit_time: dt.datetime | None
    history: list[EventOut]
    photos: list[PhotoOut]
    return_visits: list[VisitOut]

    resolve_preferred_visit_time = _local("preferred_visit_time")

    @staticmethod
    def resolve_history(obj) -> list:
        return list(obj.history.all())

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())

    @staticmethod
    def resolve_return_visits(obj) -> list:
        return list(obj.return_visits.all())


class TicketIn(Schema):
    estate: EstateCode = Field(examples=["HY01"])
    kind: Literal["repair", "complaint", "suggestion"]
    category: int | str = Field(description="category id or code", examples=["plumbing"])
    priority: Literal["normal", "urgent", "emergency"] = "normal"
    channel: Literal["front_desk", "phone", "web_form", "walk_in", "other"] = "phone"
    description: str = Field(examples=["厨房水管漏水"])
    reporter_name: str = Field(examples=["王伟"])
    reporter_phone: str = Field(
        "",
        examples=["13812345678", "0571-88886666"],
        description="a mobile, or a landline with its area code; the resident's phone when omitted",
    )
    unit: int | None = Field(None, description="unit id")
    unit_number: str | None = Field(
        None,
        max_length=50,
        description="or the unit's number, e.g. 3-2-1501",
        examples=["3-2-1501"],
    )
    common_area: str = ""
    resident: int | None = Field(None, description="resident file id")
    major_complaint: bool = False
    preferred_visit_time: Moment | None = None


class VisitIn(Schema):
    reached: bool
    solved: bool | None = None
    rating: int | None = Field(None, description="1-5; 4 and 5 count as satisfied")
    comment: str = Field("", description="what the resident said; a reopening's reason")
    reopen: bool = Field(
        False,
        description="the resident says it is not solved (reached, solved false): reopen the "
        "ticket in the same step, the comment carried over as the reason",
    )


class SampleOut(Schema):
    ticket_id: int
    number: str
    period: str
    resolved_at: dt.datetime | None
    visited: bool

    @staticmethod
    def resolve_number(obj) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.run.period

    @staticmethod
    def resolve_resolved_at(obj):
        return local(obj.ticket.resolved_at, obj.estate.tz)

    @staticmethod
    def resolve_visited(obj) -> bool:
        return bool(obj.visited)


class Minutes(Schema):
    response_minutes_normal: int
    response_minutes_urgent: int
    response_minutes_emergency: int
    resolve_minutes_normal: int
    resolve_minutes_urgent: int
    resolve_minutes_emergency: int


class CategoryOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    name_en: str
    business_hours: bool
    active: bool
    minutes: Minutes

    @staticmethod
    def resolve_minutes(obj) -> dict:
        return {f: getattr(obj, f) for f in Minutes.model_fields}


class CategoryIn(Schema):
    estate: EstateCode
    code: str = Field(examples=["plumbing"])
    kind: Literal["repair", "complaint", "suggestion", "rectification"]
    name: str
    name_en: str = ""
    business_hours: bool = True
    active: bool = True
    minutes: Minutes


class DeadlinesOut(Schema):
    response_due_at: dt.datetime
    resolve_due_at: dt.datetime
    business_hours: bool


class DepartmentOut(Schema):
    id: int
    code: str
    name: str


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str
    label: str  # the name in the request's language (an imported holiday's name translated)
    source: str

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.display_name


class HoursOut(Schema):
    weekday: int
    intervals: list[tuple[TimeOfDay, TimeOfDay]]


class CalendarOut(Schema):
    year: int
    covered: bool
    source: str | None
    provisional: bool
    warning: str | None
    hours: list[HoursOut]
    days: list[CalendarDayOut]

    @staticmethod
    def resolve_hours(obj) -> list:
        return [{"weekday": d, "intervals": list(obj["week"][d])} for d in sorted(obj["week"])]


class CalendarImportIn(Schema):
    estate: EstateCode
    year: int = Field(..., ge=2004, le=2100)


class CalendarDayIn(Schema):
    estate: EstateCode
    date: Day
    kind: Literal["holiday", "workday", "normal"]
    name: str = ""


class WorkingHoursIn(Schema):
    estate: EstateCode
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    opens: TimeOfDay | None = Field(None, description="null closes the day")
    lunch_from: TimeOfDay | None = None
    lunch_until: TimeOfDay | None = None
    closes: TimeOfDay | None = None


class ReplyTemplateOut(Schema):
    id: int
    situation: str
    title: str
    text: str
    sort: int
    active: bool


class ReplyTemplateIn(Schema):
    estate: EstateCode
    situation: Literal[
        "greeting", "accept", "dispatch", "hold", "resolve", "return_visit", "apology", "other"
    ]
    title: str
    text: str = Field(description="{number}, {estate}, {phone}, {resolve_due} are filled in")
    sort: int = Field(100, ge=0, le=32767)
    active: bool = True
