"""The staff-assessment API (培训考核), mounted under /api/v1/ by estate.api: per-person
figures of a month and the records behind one, training sessions (list, record).

A manager (or a company admin) sees the estate's staff; anyone else only themself: asking for a
colleague is 404, as on the pages."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate.assessment import registry, selectors, services
from estate.errors import DomainError
from estate.localtime import today
from estate.schemas import ERRORS_4XX, PageParams, paginate
from estate.scoping import estate_by_code, require

router = Router(tags=["assessment"])
MONTH = Field(None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; this month when omitted")


class FigureOut(Schema):
    key: str
    label: str


class PersonOut(Schema):
    user: int
    username: str
    name: str
    figures: dict[str, int | float] = Field(description="figure key -> number")


class FiguresOut(Schema):
    estate: str
    month: str
    figures: list[FigureOut]
    items: list[PersonOut]


class RecordOut(Schema):
    label: str
    url: str


class AttendeeOut(Schema):
    user: int = Field(alias="user_id")
    username: str
    passed: bool | None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()


class TrainingOut(Schema):
    id: int
    estate: str
    title: str
    date: dt.date
    trainer: str
    attendees: list[AttendeeOut]

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_attendees(obj) -> list:
        return list(obj.attendances.all())


class TrainingPage(Schema):
    items: list[TrainingOut]
    count: int


class TrainingIn(Schema):
    estate: str = Field(examples=["HY01"])
    title: str = Field(max_length=100, examples=["报修接待规范"])
    date: dt.date
    trainer: str = Field(max_length=50, examples=["李经理"])
    passed: list[int] = Field([], max_length=500, description="user ids who passed")
    failed: list[int] = Field([], max_length=500, description="user ids who did not pass")


class FiguresQuery(Schema):
    estate: str = Field(description="estate code")
    month: str | None = MONTH
    user: int | None = Field(None, description="one person's row (user id)")


class RecordsQuery(Schema):
    estate: str = Field(description="estate code")
    month: str | None = MONTH
    user: int | None = Field(None, description="user id; oneself when omitted")
    figure: str = Field(max_length=50, description="figure key, as listed by /assessment/figures")


class TrainingFilters(PageParams):
    estate: str = Field(description="estate code")


def _month(value: str | None, estate) -> dt.date:
    if not value:
        return today(estate).replace(day=1)
    try:
        year, month = (int(p) for p in value.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise DomainError("invalid", _("Give the month as YYYY-MM."), field="month") from None


def _person(request, estate, user_id: int):
    person = selectors.people(user=request.auth, estate=estate).filter(pk=user_id).first()
    if person is None:  # a colleague's figures, without the role: as if it did not exist
        raise DomainError("not_found", _("Not found."), field="user", status=404)
    return person


@router.get(
    "/assessment/figures",
    response={200: FiguresOut, **ERRORS_4XX},
    summary="Per-person figures of a month (a manager: the estate's staff; else oneself)",
    url_name="assessment_figures",
)
def figures(request, query: Query[FiguresQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, "assessment.view_own")
    month = _month(query.month, estate)
    if query.user is not None:
        persons = [_person(request, estate, query.user)]
    else:
        persons = list(selectors.people(user=request.auth, estate=estate))
    rows = selectors.month_figures(estate=estate, month=month, persons=persons)
    return {
        "estate": estate.code,
        "month": f"{month:%Y-%m}",
        "figures": [{"key": f.key, "label": str(f.label)} for f in registry.figures()],
        "items": [
            {
                "user": p.pk,
                "username": p.get_username(),
                "name": p.get_full_name(),
                "figures": values,
            }
            for p, values in rows
        ],
    }


@router.get(
    "/assessment/records",
    response={200: list[RecordOut], **ERRORS_4XX},
    summary="The records behind one person's figure of a month (the same condition)",
    url_name="assessment_records",
)
def records(request, query: Query[RecordsQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, "assessment.view_own")
    figure = registry.get(query.figure)
    if figure is None:
        raise DomainError("invalid", _("Unknown figure."), field="figure")
    person = _person(request, estate, query.user if query.user is not None else request.auth.pk)
    month = _month(query.month, estate)
    rows = selectors.figure_records(estate=estate, month=month, figure=figure, user_id=person.pk)
    return [{"label": label, "url": url} for label, url in rows]


@router.get(
    "/training-sessions",
    response={200: TrainingPage, **ERRORS_4XX},
    summary="Training sessions of an estate, newest first, with attendees (three queries)",
    url_name="training_list",
)
def training_list(request, filters: Query[TrainingFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "assessment.view_staff")
    return paginate(selectors.trainings(estate=estate).select_related("estate"), filters)


@router.post(
    "/training-sessions",
    response={201: TrainingOut, **ERRORS_4XX},
    summary="Record a training session with its attendees, each passed or not",
    url_name="training_create",
)
def training_create(request, payload: TrainingIn):
    estate = estate_by_code(request.auth, payload.estate)
    session = services.training_record(
        estate=estate,
        by=request.auth,
        title=payload.title,
        date=payload.date,
        trainer=payload.trainer,
        passed=payload.passed,
        failed=payload.failed,
    )
    return Status(
        201, selectors.trainings(estate=estate).select_related("estate").get(pk=session.pk)
    )
