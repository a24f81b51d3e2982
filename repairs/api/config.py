"""The configuration part of the tickets API: categories and their service levels,
departments, the deadline preview, the business calendar and reply templates (part of
``repairs.api.router``)."""

from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, EstateCode, Moment, local
from estate.scoping import estate_by_code, get_scoped_or_404
from repairs import configuration, selectors
from repairs.api.schemas import (
    CalendarDayIn,
    CalendarImportIn,
    CalendarOut,
    CategoryIn,
    CategoryOut,
    DeadlinesOut,
    DepartmentOut,
    ReplyTemplateIn,
    ReplyTemplateOut,
    WorkingHoursIn,
)
from repairs.models import Category, ReplyTemplate

router = Router(tags=["ticket settings"])
KindLit = Literal["repair", "complaint", "suggestion"]


# Categories, departments, calendar, reply templates -------------------------------------------
class EstateKindQuery(Schema):
    estate: EstateCode
    kind: KindLit | None = None


@router.get(
    "/ticket-categories",
    response={200: list[CategoryOut], **ERRORS_4XX},
    summary="Categories with their service levels",
)
def category_list(request, query: Query[EstateKindQuery]):
    estate = estate_by_code(request.auth, query.estate)
    return list(selectors.categories(estate=estate, kind=query.kind))


def _category_save(request, payload: CategoryIn, category: Category | None, estate):
    return configuration.category_save(
        estate=estate,
        by=request.auth,
        category=category,
        code=payload.code,
        kind=payload.kind,
        name=payload.name,
        name_en=payload.name_en,
        business_hours=payload.business_hours,
        active=payload.active,
        minutes=payload.minutes.model_dump(),
    )


@router.post(
    "/ticket-categories",
    response={201: CategoryOut, **ERRORS_4XX},
    summary="Create a category (manager)",
)
def category_create(request, payload: CategoryIn):
    estate = estate_by_code(request.auth, payload.estate)
    return Status(201, _category_save(request, payload, None, estate))


@router.put(
    "/ticket-categories/{category_id}",
    response={200: CategoryOut, **ERRORS_4XX},
    summary="Change a category and its service level (manager)",
)
def category_update(request, category_id: int, payload: CategoryIn):
    category = get_scoped_or_404(
        Category.objects.select_related("estate"), request.auth, pk=category_id
    )
    return _category_save(request, payload, category, category.estate)


class DeadlineQuery(Schema):
    estate: EstateCode
    category: int
    priority: Literal["normal", "urgent", "emergency"] = "normal"
    at: Moment | None = Field(None, description="report time; now when omitted")


@router.get(
    "/ticket-deadlines",
    response={200: DeadlinesOut, **ERRORS_4XX},
    summary="The deadlines a ticket logged now would get (shown before saving)",
)
def ticket_deadlines(request, query: Query[DeadlineQuery]):
    estate = estate_by_code(request.auth, query.estate)
    category = selectors.categories(estate=estate, active=None).filter(pk=query.category).first()
    if category is None:
        raise DomainError("invalid", _("No such category here."), field="category")
    respond, resolve = selectors.deadline_preview(
        estate=estate, category=category, priority=query.priority, at=query.at
    )
    return {
        "response_due_at": local(respond, estate.tz),
        "resolve_due_at": local(resolve, estate.tz),
        "business_hours": category.runs_on_business_hours(query.priority),
    }


class EstateQuery(Schema):
    estate: EstateCode


@router.get(
    "/departments", response={200: list[DepartmentOut], **ERRORS_4XX}, summary="Departments"
)
def department_list(request, query: Query[EstateQuery]):
    estate = estate_by_code(request.auth, query.estate)
    return selectors.departments(estate=estate)


class CalendarQuery(Schema):
    estate: EstateCode
    year: int = Field(..., ge=2000, le=2100)


@router.get(
    "/ticket-calendar",
    response={200: CalendarOut, **ERRORS_4XX},
    summary="Business hours and holidays of a year (with a warning if no source covers it)",
)
def calendar_detail(request, query: Query[CalendarQuery]):
    estate = estate_by_code(request.auth, query.estate)
    return selectors.calendar_overview(estate=estate, year=query.year)


@router.post(
    "/ticket-calendar/import",
    response={200: CalendarOut, **ERRORS_4XX},
    summary="Import China's holidays and makeup days of a year (manager)",
)
def calendar_import(request, payload: CalendarImportIn):
    estate = estate_by_code(request.auth, payload.estate)
    configuration.calendar_year_import(estate=estate, year=payload.year, by=request.auth)
    return selectors.calendar_overview(estate=estate, year=payload.year)


@router.post(
    "/ticket-calendar/days",
    response={200: CalendarOut, **ERRORS_4XX},
    summary="Correct one day: holiday, makeup working day or normal (manager)",
)
def calendar_day_set(request, payload: CalendarDayIn):
    estate = estate_by_code(request.auth, payload.estate)
    configuration.calendar_day_set(
        estate=estate, by=request.auth, date=payload.date, kind=payload.kind, name=payload.name
    )
    return selectors.calendar_overview(estate=estate, year=payload.date.year)


@router.put(
    "/ticket-calendar/hours",
    response={200: CalendarOut, **ERRORS_4XX},
    summary="Set the desk's hours on one weekday (manager)",
)
def calendar_hours_set(request, payload: WorkingHoursIn):
    estate = estate_by_code(request.auth, payload.estate)
    morning = (payload.opens, payload.lunch_from) if payload.opens and payload.lunch_from else None
    afternoon = (
        (payload.lunch_until, payload.closes) if payload.lunch_until and payload.closes else None
    )
    configuration.working_hours_set(
        estate=estate,
        by=request.auth,
        weekday=payload.weekday,
        morning=morning,
        afternoon=afternoon,
    )
    return selectors.calendar_overview(estate=estate, year=timezone.now().year)


class TemplateQuery(Schema):
    estate: EstateCode
    situation: str | None = None


@router.get(
    "/reply-templates",
    response={200: list[ReplyTemplateOut], **ERRORS_4XX},
    summary="Reply templates (快捷用语)",
)
def reply_template_list(request, query: Query[TemplateQuery]):
    estate = estate_by_code(request.auth, query.estate)
    return list(selectors.reply_templates(estate=estate, situation=query.situation))


def _template_save(request, payload: ReplyTemplateIn, estate, template=None):
    return configuration.reply_template_save(
        estate=estate,
        by=request.auth,
        template=template,
        situation=payload.situation,
        title=payload.title,
        text=payload.text,
        sort=payload.sort,
        active=payload.active,
    )


@router.post(
    "/reply-templates",
    response={201: ReplyTemplateOut, **ERRORS_4XX},
    summary="Create a reply template (manager)",
)
def reply_template_create(request, payload: ReplyTemplateIn):
    estate = estate_by_code(request.auth, payload.estate)
    return Status(201, _template_save(request, payload, estate))


def _template(request, template_id: int) -> ReplyTemplate:
    return get_scoped_or_404(
        ReplyTemplate.objects.select_related("estate"), request.auth, pk=template_id
    )


@router.put(
    "/reply-templates/{template_id}",
    response={200: ReplyTemplateOut, **ERRORS_4XX},
    summary="Change a reply template (manager)",
)
def reply_template_update(request, template_id: int, payload: ReplyTemplateIn):
    template = _template(request, template_id)
    return _template_save(request, payload, template.estate, template)


@router.delete(
    "/reply-templates/{template_id}",
    response={204: None, **ERRORS_4XX},
    summary="Delete a reply template (manager)",
)
def reply_template_delete(request, template_id: int):
    configuration.reply_template_delete(template=_template(request, template_id), by=request.auth)
    return Status(204, None)


class RenderOut(Schema):
    text: str


@router.get(
    "/reply-templates/{template_id}/render",
    response={200: RenderOut, **ERRORS_4XX},
    summary="A reply template filled in for a ticket",
)
def reply_template_render(request, template_id: int, ticket_id: int | None = None):
    template = _template(request, template_id)
    ticket = None
    if ticket_id is not None:
        ticket = selectors.ticket_for(user=request.auth, ticket_id=ticket_id)
        if ticket.estate_id != template.estate_id:
            raise DomainError("not_found", _("Not found."), status=404)
    return {"text": selectors.reply_template_render(template=template, ticket=ticket)}
