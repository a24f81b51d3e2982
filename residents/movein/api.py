"""The move-in API router, mounted under /api/v1/ by estate.api: the slot calendar, bookings,
the checklist, defects, the owner's rating, completion, the acknowledgement PDF, and the
handover list KPI.md names (``GET /handovers``). Thin: schemas in, a service or selector call,
schemas out."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate import localtime
from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams, local, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from residents.models import Resident
from residents.movein import pdf, roles, selectors, services, workflow
from residents.movein.models import Handover, HandoverItem

router = Router(tags=["move-in handovers"])


class HandoverOut(Schema):
    """The fields KPI.md's move-in rates read (``id, unit, booked_date, completed_at,
    rating``), so anyone can recompute them from this list, plus status and slot."""

    id: int
    unit: str = Field(alias="unit.number", examples=["3-2-1501"])
    booked_date: dt.date
    slot: str = Field(examples=["09:00-10:00"])
    status: str = Field(examples=["completed"])
    completed_at: dt.datetime | None
    rating: int | None = Field(examples=[5])
    owner: str = Field(alias="resident.name", examples=["王芳"])
    owner_phone: str = Field(alias="resident.phone_masked", examples=["139****5678"])

    @staticmethod
    def resolve_slot(obj) -> str:
        return str(obj.slot.template)

    @staticmethod
    def resolve_completed_at(obj) -> dt.datetime | None:
        return local(obj.completed_at, obj.estate.tz)


class HandoverPage(Schema):
    items: list[HandoverOut]
    count: int


class ItemOut(Schema):
    id: int
    code: str
    label: str
    kind: str
    done: bool
    key_count: int | None
    reading: str | None
    balance: str | None
    note: str

    @staticmethod
    def resolve_reading(obj) -> str | None:
        return None if obj.reading is None else f"{obj.reading:.2f}"

    @staticmethod
    def resolve_balance(obj) -> str | None:
        return None if obj.balance is None else f"{obj.balance:.2f}"


class DefectOut(Schema):
    id: int
    description: str
    item: str | None
    ticket_id: int
    ticket_number: str = Field(alias="ticket.number")
    ticket_status: str = Field(alias="ticket.status", examples=["accepted"])

    @staticmethod
    def resolve_item(obj) -> str | None:
        return obj.item.label if obj.item_id else None


class HandoverDetailOut(HandoverOut):
    rating_comment: str
    booked_at: dt.datetime
    started_at: dt.datetime | None
    note: str
    checklist: list[ItemOut]
    defects: list[DefectOut]
    allowed_actions: list[str] = Field(examples=[["check_item", "add_defect", "rate"]])

    @staticmethod
    def resolve_checklist(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_defects(obj) -> list:
        return list(obj.defects.all())

    @staticmethod
    def resolve_allowed_actions(obj) -> list[str]:
        return sorted(workflow.allowed_actions(obj))


class HandoverQuery(PageParams):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
    completed_from: Day | None = Field(None, description="local date, inclusive")
    completed_to: Day | None = Field(None, description="local date, exclusive")
    status: Handover.Status | None = None


@router.get(
    "/handovers",
    response={200: HandoverPage, **ERRORS_4XX},
    summary="Handovers of an estate by completion date (the move-in rates' cohort)",
)
def handover_list(request, query: Query[HandoverQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, roles.VIEW)
    if query.completed_from and query.completed_to and query.completed_to <= query.completed_from:
        raise DomainError("invalid", _("completed_to must be after completed_from"), "completed_to")
    qs = selectors.handover_list(
        user=request.auth,
        estate=estate,
        completed_from=query.completed_from,
        completed_to=query.completed_to,
        status=query.status,
    )
    return paginate(qs, query)


def _handover(request, handover_id: int, action: str = roles.VIEW) -> Handover:
    found = selectors.handover_detail(user=request.auth, handover_id=handover_id)
    if found is None:
        get_scoped_or_404(Handover, request.auth, pk=0)
    require(request.auth, found.estate, action)
    return found


def _fresh(request, handover: Handover) -> Handover:
    return selectors.handover_detail(user=request.auth, handover_id=handover.pk)


@router.get(
    "/handovers/{handover_id}",
    response={200: HandoverDetailOut, **ERRORS_4XX},
    summary="One handover with its checklist, defects (with their tickets' status), rating",
)
def handover_detail(request, handover_id: int):
    return _handover(request, handover_id)


class BookIn(Schema):
    estate: EstateCode = Field(..., examples=["HY01"])
    unit: int = Field(..., description="unit id (of this estate)")
    date: Day = Field(..., examples=["2026-10-12"])
    slot: int = Field(..., description="slot id, from GET /handover-slots")
    resident: int | None = Field(None, description="an existing resident file, or give name+phone")
    owner_name: str = Field("", max_length=50, examples=["王芳"])
    owner_phone: str = Field("", max_length=32, examples=["13912345678"])
    note: str = Field("", max_length=1000)


@router.post(
    "/handovers",
    response={201: HandoverDetailOut, **ERRORS_4XX},
    summary="Book a handover (409 slot_full / day_full when there is no place left)",
)
def handover_create(request, payload: BookIn):
    estate = estate_by_code(request.auth, payload.estate)
    require(request.auth, estate, roles.MANAGE)
    resident = None
    if payload.resident is not None:
        resident = Resident.objects.filter(pk=payload.resident, estate=estate).first()
        if resident is None:
            raise DomainError("invalid", _("No such resident in this estate."), field="resident")
    handover = services.handover_book(
        estate=estate,
        unit=payload.unit,
        date=payload.date,
        slot=payload.slot,
        resident=resident,
        owner_name=payload.owner_name,
        owner_phone=payload.owner_phone,
        note=payload.note,
        by=request.auth,
    )
    return Status(201, _fresh(request, handover))


def _transition(name: str, summary: str):
    def view(request, handover_id: int):
        handover = _handover(request, handover_id, roles.MANAGE)
        getattr(services, f"handover_{name}")(handover=handover, by=request.auth)
        return _fresh(request, handover)

    view.__name__ = f"handover_{name}"
    router.post(
        f"/handovers/{{handover_id}}/{name}",
        response={200: HandoverDetailOut, **ERRORS_4XX},
        summary=summary,
        url_name=f"handover_{name}",
    )(view)


_transition("start", "Start the handover (the owner has arrived)")
_transition("complete", "Complete it (409 while a checklist item is open): the unit is occupied")
_transition("cancel", "Cancel the booking (its place in the slot is freed)")


class ItemIn(Schema):
    done: bool = True
    key_count: int | str | None = Field(None, description="keys handed (the keys item)")
    reading: str | float | int | None = Field(None, description="meter reading, a number")
    note: str = Field("", max_length=200)


@router.post(
    "/handovers/{handover_id}/items/{item_id}",
    response={200: ItemOut, **ERRORS_4XX},
    summary="Tick (or untick) a checklist item with its count, reading or note",
)
def handover_item_update(request, handover_id: int, item_id: int, payload: ItemIn):
    handover = _handover(request, handover_id, roles.MANAGE)
    item = get_scoped_or_404(HandoverItem, request.auth, pk=item_id, handover=handover)
    return services.item_update(
        item=item,
        done=payload.done,
        key_count=payload.key_count,
        reading=payload.reading,
        note=payload.note,
        by=request.auth,
    )


class DefectIn(Schema):
    description: str = Field(..., max_length=500, examples=["主卧窗户密封条脱落"])
    item: int | None = Field(None, description="the checklist item (room) it was found in")


@router.post(
    "/handovers/{handover_id}/defects",
    response={201: DefectOut, **ERRORS_4XX},
    summary="Record a defect: it becomes an after-sales (房产售后) repair ticket",
)
def handover_defect_add(request, handover_id: int, payload: DefectIn):
    handover = _handover(request, handover_id, roles.MANAGE)
    item = None
    if payload.item is not None:
        item = HandoverItem.objects.filter(pk=payload.item, handover=handover).first()
        if item is None:
            raise DomainError("invalid", _("This item is not on this handover."), field="item")
    defect = services.defect_add(
        handover=handover, description=payload.description, item=item, by=request.auth
    )
    return Status(201, defect)


class RateIn(Schema):
    rating: int = Field(..., description="1 (poor) to 5 (very satisfied)", examples=[5])
    comment: str = Field("", max_length=1000)


@router.post(
    "/handovers/{handover_id}/rate",
    response={200: HandoverDetailOut, **ERRORS_4XX},
    summary="The owner's rating, 1-5, once (on the staff tablet)",
)
def handover_rate(request, handover_id: int, payload: RateIn):
    handover = _handover(request, handover_id, roles.MANAGE)
    services.handover_rate(
        handover=handover, rating=payload.rating, comment=payload.comment, by=request.auth
    )
    return _fresh(request, handover)


@router.get(
    "/handovers/{handover_id}/acknowledgement.pdf",
    response={200: None, **ERRORS_4XX},
    summary="The handover acknowledgement (交房确认单), PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def handover_pdf(request, handover_id: int):
    handover = _handover(request, handover_id)
    response = HttpResponse(pdf.acknowledgement(handover), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handover-{handover.pk}.pdf"'
    return response


class SlotCell(Schema):
    date: dt.date
    booked: int
    capacity: int
    full: bool


class SlotRow(Schema):
    slot_id: int
    slot: str
    days: list[SlotCell]


class CalendarOut(Schema):
    estate: str
    daily_capacity: int | None
    rows: list[SlotRow]


class CalendarQuery(Schema):
    estate: EstateCode
    start: Day | None = None
    days: int = Field(14, ge=1, le=62)


@router.get(
    "/handover-slots",
    response={200: CalendarOut, **ERRORS_4XX},
    summary="The estate's slot calendar: booked and capacity per slot and day",
)
def handover_calendar(request, query: Query[CalendarQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, roles.VIEW)
    start = query.start or localtime.today(estate)
    if not dt.date(2000, 1, 1) <= start <= dt.date(2999, 1, 1):
        raise DomainError("invalid", _("start is out of range"), field="start")
    cal = selectors.calendar(estate=estate, start=start, days=query.days)
    return {
        "estate": estate.code,
        "daily_capacity": cal["daily_capacity"],
        "rows": [
            {"slot_id": r["slot"].pk, "slot": str(r["slot"]), "days": r["cells"]}
            for r in cal["rows"]
        ],
    }
