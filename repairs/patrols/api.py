"""The patrols API (小区巡查), mounted under /api/v1/ by estate.api: checklists (list, create),
rounds (list, plan, one with its items and findings) and recording a round's results — a failed
item opens its rectification ticket. Thin: every rule is in services.py.

A manager sees every round of the estate; anyone else who walks rounds sees only their own."""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate import scoping
from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, PageParams, local, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from repairs.models import Category, Ticket
from repairs.patrols import selectors, services
from repairs.patrols.models import Checklist, Round

router = Router(tags=["patrols"])
AreaLit = Literal["cleaning", "security", "greenery", "facilities", "conduct"]


class ItemOut(Schema):
    id: int
    text: str


class ChecklistOut(Schema):
    id: int
    estate: str
    name: str
    area: str
    category: int = Field(alias="category_id", description="rectification category id")
    items: list[ItemOut]

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_items(obj) -> list:
        return obj.live_items


class ChecklistIn(Schema):
    estate: str = Field(examples=["HY01"])
    name: str = Field(max_length=50, examples=["保洁巡查"])
    area: AreaLit
    category: int = Field(description="id of a rectification category of the estate")
    items: list[str] = Field(max_length=100, examples=[["楼道地面清洁", "垃圾桶已清运"]])


class RoundOut(Schema):
    id: int
    estate: str
    checklist: int = Field(alias="checklist_id")
    checklist_name: str
    area: str
    inspector: int = Field(alias="inspector_id")
    inspector_name: str
    inspector_phone_masked: str
    planned_for: dt.datetime
    status: str
    done_at: dt.datetime | None

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_checklist_name(obj) -> str:
        return obj.checklist.name

    @staticmethod
    def resolve_area(obj) -> str:
        return obj.checklist.area

    @staticmethod
    def resolve_inspector_name(obj) -> str:
        return obj.inspector.get_full_name() or obj.inspector.get_username()

    @staticmethod
    def resolve_planned_for(obj):
        return local(obj.planned_for, obj.estate.tz)

    @staticmethod
    def resolve_done_at(obj):
        return local(obj.done_at, obj.estate.tz)


class RoundPage(Schema):
    items: list[RoundOut]
    count: int


class FindingOut(Schema):
    passed: bool
    note: str
    location: str
    recorded_at: dt.datetime
    ticket: int | None = Field(None, description="the rectification ticket's id")
    ticket_number: str | None = None


class RoundItemOut(Schema):
    id: int
    text: str
    finding: FindingOut | None


class RoundDetailOut(RoundOut):
    items: list[RoundItemOut]

    @staticmethod
    def resolve_items(obj) -> list[dict]:
        found = {f.item_id: f for f in obj.findings.all()}
        out = []
        for item in obj.checklist.live_items:
            f = found.get(item.pk)
            out.append(
                {
                    "id": item.pk,
                    "text": item.text,
                    "finding": None
                    if f is None
                    else {
                        "passed": f.passed,
                        "note": f.note,
                        "location": f.location,
                        "recorded_at": local(f.recorded_at, obj.estate.tz),
                        "ticket": f.ticket_id,
                        "ticket_number": f.ticket.number if f.ticket_id else None,
                    },
                }
            )
        return out


class RoundIn(Schema):
    estate: str = Field(examples=["HY01"])
    checklist: int = Field(description="checklist id")
    inspector: int = Field(description="user id of the staff member who walks it")
    inspector_phone: str = Field(max_length=20, examples=["13600001111"])
    planned_for: dt.datetime = Field(description="naive: the estate's local time")


class ResultIn(Schema):
    item: int = Field(description="checklist item id")
    passed: bool
    note: str = Field("", max_length=500, description="what is wrong (required on a failure)")
    location: str = Field("", max_length=100)


class ResultsIn(Schema):
    results: list[ResultIn] = Field(max_length=100)


class RoundFilters(PageParams):
    estate: str = Field(description="estate code")
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (planned)")
    status: Literal["planned", "done"] | None = None
    inspector: int | None = Field(None, description="user id")
    checklist: int | None = Field(None, description="checklist id")


def parse_month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        year, month = (int(p) for p in value.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise DomainError("invalid", _("Give the month as YYYY-MM."), field="month") from None


def _round(request, round_id: int) -> Round:
    round_ = get_scoped_or_404(selectors.round_detail(round_id=round_id), request.auth)
    if not services.may_walk(request.auth, round_):
        raise DomainError("forbidden", _("This round is planned for someone else."), status=403)
    return round_


@router.get(
    "/patrol-checklists",
    response={200: list[ChecklistOut], **ERRORS_4XX},
    summary="The estate's active checklists with their items (two queries)",
    url_name="patrol_checklist_list",
)
def checklist_list(
    request,
    estate: str = Query(..., description="estate code"),
    area: AreaLit | None = None,
):
    found = estate_by_code(request.auth, estate)
    require(request.auth, found, "patrols.walk")
    return list(selectors.checklists(estate=found, area=area))


@router.post(
    "/patrol-checklists",
    response={201: ChecklistOut, **ERRORS_4XX},
    summary="New checklist (its category's service level sets the rectification deadline)",
    url_name="patrol_checklist_create",
)
def checklist_create(request, payload: ChecklistIn):
    estate = estate_by_code(request.auth, payload.estate)
    require(request.auth, estate, "patrols.manage")
    category = Category.objects.filter(
        estate=estate, kind=Ticket.Kind.RECTIFICATION, pk=payload.category
    ).first()
    checklist = services.checklist_create(
        estate=estate,
        by=request.auth,
        name=payload.name,
        area=payload.area,
        category=category,
        items=payload.items,
    )
    return Status(201, selectors.checklists(estate=estate).get(pk=checklist.pk))


@router.get(
    "/patrol-rounds",
    response={200: RoundPage, **ERRORS_4XX},
    summary="Rounds, newest first (a manager: the estate's; anyone else: their own)",
    url_name="patrol_round_list",
)
def round_list(request, filters: Query[RoundFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "patrols.walk")
    month = parse_month(filters.month)
    checklist = None
    if filters.checklist is not None:
        checklist = Checklist.objects.filter(estate=estate, pk=filters.checklist).first()
        if checklist is None:
            raise DomainError("not_found", _("Not found."), field="checklist", status=404)
    inspector = filters.inspector
    if not scoping.can(request.auth, estate, "patrols.manage"):
        if inspector not in (None, request.auth.pk):
            raise DomainError("forbidden", _("Only a manager sees others' rounds."), status=403)
        inspector = request.auth.pk
    qs = selectors.round_list(
        estate=estate,
        month=month,
        status=filters.status,
        inspector_id=inspector,
        checklist=checklist,
    )
    return paginate(qs, filters)


@router.post(
    "/patrol-rounds",
    response={201: RoundOut, **ERRORS_4XX},
    summary="Plan a round: who walks which checklist when",
    url_name="patrol_round_create",
)
def round_create(request, payload: RoundIn):
    from django.contrib.auth import get_user_model

    estate = estate_by_code(request.auth, payload.estate)
    require(request.auth, estate, "patrols.manage")
    checklist = Checklist.objects.filter(estate=estate, pk=payload.checklist).first()
    if checklist is None:
        raise DomainError("invalid", _("Choose an active checklist of this estate."), "checklist")
    inspector = get_user_model().objects.filter(pk=payload.inspector, is_active=True).first()
    round_ = services.round_plan(
        estate=estate,
        by=request.auth,
        checklist=checklist,
        inspector=inspector,
        inspector_phone=payload.inspector_phone,
        planned_for=payload.planned_for,
    )
    return Status(201, round_)


@router.get(
    "/patrol-rounds/{round_id}",
    response={200: RoundDetailOut, **ERRORS_4XX},
    summary="One round with each item and its finding",
    url_name="patrol_round_detail",
)
def round_detail(request, round_id: int):
    return _round(request, round_id)


@router.post(
    "/patrol-rounds/{round_id}/results",
    response={200: RoundDetailOut, **ERRORS_4XX},
    summary="Record items of a round (all or nothing); a failed item opens its rectification",
    url_name="patrol_round_results",
)
def round_results(request, round_id: int, payload: ResultsIn):
    round_ = _round(request, round_id)
    services.findings_record(
        round=round_, by=request.auth, results=[r.dict() for r in payload.results]
    )
    return _round(request, round_id)
