"""The paid-services API (特约服务), mounted under /api/v1/ by estate.api: the estate's
catalogue, its orders (list, one, order), a quote and the resident's confirmation. The work
itself is its ticket's (``/api/v1/tickets/{id}/...``): resolving it there bills the price.
Thin: every rule is in services.py."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate.errors import DomainError
from estate.models import Unit
from estate.schemas import ERRORS_4XX, PageParams, local, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from repairs.paidservices import selectors, services
from repairs.paidservices.models import Order, Service

router = Router(tags=["paid services"])
FIELD = {"reporter_phone": "phone", "reporter_name": "name"}
StatusLit = Literal[
    "submitted",
    "accepted",
    "dispatched",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    description: str
    pricing: str = Field(description="fixed or quoted")
    price: str | None = Field(None, description="CNY; null when quoted on site")
    category_code: str
    department_code: str
    online: bool = Field(description="residents may order it online")
    company_default: bool

    @staticmethod
    def resolve_price(obj) -> str | None:
        return _money(obj.price)

    @staticmethod
    def resolve_company_default(obj) -> bool:
        return obj.estate_id is None


class OrderOut(Schema):
    id: int
    estate: str
    service: int = Field(alias="service_id")
    service_name: str
    ticket: int = Field(alias="ticket_id")
    ticket_number: str
    status: str = Field(description="the ticket's status")
    unit: int | None
    unit_number: str | None
    price: str | None = Field(None, description="CNY: the fixed price or the quote")
    quoted_at: dt.datetime | None
    quote_confirmed_at: dt.datetime | None
    quote_confirmation: str
    start_refused: str | None = Field(None, description="why the work may not start yet")
    billed_at: dt.datetime | None = Field(None, description="when the price became a bill")
    created_at: dt.datetime

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_service_name(obj) -> str:
        return obj.service.name

    @staticmethod
    def resolve_ticket_number(obj) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.ticket.status

    @staticmethod
    def resolve_unit(obj) -> int | None:
        return obj.ticket.unit_id

    @staticmethod
    def resolve_unit_number(obj) -> str | None:
        return obj.ticket.unit.number if obj.ticket.unit_id else None

    @staticmethod
    def resolve_price(obj) -> str | None:
        return _money(obj.price)

    @staticmethod
    def resolve_quoted_at(obj):
        return local(obj.quoted_at, obj.estate.tz)

    @staticmethod
    def resolve_quote_confirmed_at(obj):
        return local(obj.quote_confirmed_at, obj.estate.tz)

    @staticmethod
    def resolve_start_refused(obj) -> str | None:
        return services.start_refusal(obj)

    @staticmethod
    def resolve_billed_at(obj):
        return local(obj.ticket.charge_billed_at, obj.estate.tz)

    @staticmethod
    def resolve_created_at(obj):
        return local(obj.created_at, obj.estate.tz)


class OrderPage(Schema):
    items: list[OrderOut]
    count: int


class OrderIn(Schema):
    estate: str = Field(examples=["HY01"])
    service: int = Field(description="id of a service the estate offers")
    unit: int | None = Field(None, description="unit id")
    unit_number: str | None = Field(None, max_length=50, examples=["1-1-101"])
    name: str = Field(max_length=50, examples=["王伟"])
    phone: str = Field(max_length=20, examples=["13812345678"])
    description: str = Field("", max_length=1500)


class QuoteIn(Schema):
    amount: Decimal = Field(..., description="CNY, at most 2 decimals", examples=["350.00"])


class ConfirmIn(Schema):
    how: str = Field(max_length=200, examples=["电话确认 14:20"])


class OrderFilters(PageParams):
    estate: str = Field(description="estate code")
    service: int | None = Field(None, description="service id")
    unit: int | None = Field(None, description="unit id")
    status: StatusLit | None = Field(None, description="the ticket's status")


def _order(request, order_id: int, action: str = "repairs.ticket.view") -> Order:
    order = get_scoped_or_404(selectors.order_detail(order_id=order_id), request.auth)
    require(request.auth, order.estate, action)
    return order


def _detail(request, order: Order) -> Order:
    return _order(request, order.pk)


@router.get(
    "/paid-services",
    response={200: list[ServiceOut], **ERRORS_4XX},
    summary="The estate's catalogue (its own services and the company defaults it keeps)",
    url_name="paid_service_list",
)
def service_list(
    request,
    estate: str = Query(..., description="estate code"),
    online: bool = Query(False, description="only those residents may order online"),
):
    found = estate_by_code(request.auth, estate)
    require(request.auth, found, "paidservices.order")
    return selectors.catalogue(estate=found, online_only=online)


@router.get(
    "/paid-service-orders",
    response={200: OrderPage, **ERRORS_4XX},
    summary="Orders of an estate, newest first (two queries whatever the size)",
    url_name="paid_order_list",
)
def order_list(request, filters: Query[OrderFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "paidservices.order")
    service = unit = None
    # An id of another estate's service or unit is "not found", as the id alone would be.
    if filters.service is not None:
        service = selectors.offered(estate=estate, service_id=filters.service)
        if service is None:
            raise DomainError("not_found", _("Not found."), field="service", status=404)
    if filters.unit is not None:
        unit = Unit.objects.filter(estate=estate, pk=filters.unit).first()
        if unit is None:
            raise DomainError("not_found", _("Not found."), field="unit", status=404)
    qs = selectors.orders(estate=estate, service=service, unit=unit, status=filters.status)
    return paginate(qs, filters)


@router.post(
    "/paid-service-orders",
    response={201: OrderOut, **ERRORS_4XX},
    summary="Order a service for a unit: a repair ticket carrying its price",
    url_name="paid_order_create",
)
def order_create(request, payload: OrderIn):
    estate = estate_by_code(request.auth, payload.estate)
    require(request.auth, estate, "paidservices.order")
    service: Service | None = selectors.offered(estate=estate, service_id=payload.service)
    if service is None:
        raise DomainError("invalid", _("Choose a service offered here."), field="service")
    if payload.unit is not None:
        unit = Unit.objects.filter(estate=estate, pk=payload.unit).first()
        if unit is None:
            raise DomainError("invalid", _("This unit does not belong to this estate."), "unit")
    elif (payload.unit_number or "").strip():
        unit = Unit.objects.filter(estate=estate, number=payload.unit_number.strip()).first()
        if unit is None:
            raise DomainError(
                "invalid",
                _("There is no unit %(n)s in this estate.") % {"n": payload.unit_number[:50]},
                field="unit_number",
            )
    else:
        unit = None
    try:
        order = services.order_create(
            estate=estate,
            service=service,
            unit=unit,
            name=payload.name,
            phone=payload.phone,
            description=payload.description,
            by=request.auth,
        )
    except DomainError as exc:
        exc.field = FIELD.get(exc.field, exc.field)  # the ticket's names for this body's fields
        raise
    return Status(201, _detail(request, order))


@router.get(
    "/paid-service-orders/{order_id}",
    response={200: OrderOut, **ERRORS_4XX},
    summary="One order",
    url_name="paid_order_detail",
)
def order_detail(request, order_id: int):
    return _order(request, order_id)


@router.post(
    "/paid-service-orders/{order_id}/quote",
    response={200: OrderOut, **ERRORS_4XX},
    summary="The price quoted on site (a new quote needs the resident's confirmation again)",
    url_name="paid_order_quote",
)
def order_quote(request, order_id: int, payload: QuoteIn):
    order = _order(request, order_id)
    return _detail(request, services.quote_set(order=order, by=request.auth, amount=payload.amount))


@router.post(
    "/paid-service-orders/{order_id}/confirm",
    response={200: OrderOut, **ERRORS_4XX},
    summary="The resident accepted the quote (how): the work may start, the price is charged",
    url_name="paid_order_confirm",
)
def order_confirm(request, order_id: int, payload: ConfirmIn):
    order = _order(request, order_id)
    return _detail(request, services.quote_confirm(order=order, by=request.auth, how=payload.how))
