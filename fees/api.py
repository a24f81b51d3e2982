"""The fees API router, mounted under /api/v1/ by estate.api: fee items, bills, payments,
receipts, arrears, statements. Thin: schemas in, a service or selector call, schemas out."""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from estate.kpi import Period
from estate.models import Unit
from estate.schemas import ERRORS_4XX, PageParams, date_range_start, local, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from fees import pdf, selectors, services
from fees import permissions as perm
from fees.models import Bill, FeeItem, Payment

router = Router(tags=["fees"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# Fee items ------------------------------------------------------------------------------------


class PriceOut(Schema):
    price: str
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def resolve_price(obj) -> str:
        return f"{obj.price.normalize():f}"


class FeeItemOut(Schema):
    id: int
    code: str
    name: str
    basis: str
    cycle: str
    cycle_start_month: int
    due_day: int
    due_month_offset: int
    unit_label: str
    late_fee_daily_rate: str | None
    late_fee_cap_rate: str | None
    is_active: bool
    prices: list[PriceOut]

    @staticmethod
    def resolve_late_fee_daily_rate(obj) -> str | None:
        rate = obj.late_fee_daily_rate
        return None if rate is None else f"{rate.normalize():f}"

    @staticmethod
    def resolve_late_fee_cap_rate(obj) -> str | None:
        rate = obj.late_fee_cap_rate
        return None if rate is None else f"{rate.normalize():f}"

    @staticmethod
    def resolve_prices(obj) -> list:
        return list(obj.prices.all())


class FeeItemPage(Schema):
    items: list[FeeItemOut]
    count: int


class EstateQuery(PageParams):
    estate: str = Field(..., description="estate code, e.g. HY01")


@router.get(
    "/fee-items",
    response={200: FeeItemPage, **ERRORS_4XX},
    summary="Fee items of an estate with their prices over time",
)
def fee_item_list(request, query: Query[EstateQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    qs = FeeItem.objects.filter(estate=estate).prefetch_related("prices").order_by("code")
    return paginate(qs, query)


# Bills ----------------------------------------------------------------------------------------


class BillOut(Schema):
    """The fields KPI.md's fee rates read, so anyone can recompute them from this list."""

    id: int
    number: str
    unit: str = Field(alias="unit.number")
    fee_item: str = Field(alias="fee_item.code")
    period: str
    amount_due: str = Field(examples=["250.00"])
    amount_paid: str = Field(examples=["100.00"])
    due_date: dt.date
    issued_at: dt.datetime
    voided_at: dt.datetime | None
    fully_paid_at: dt.datetime | None

    @staticmethod
    def resolve_amount_due(obj) -> str:
        return _money(obj.amount_due)

    @staticmethod
    def resolve_amount_paid(obj) -> str:
        return _money(obj.amount_paid)

    @staticmethod
    def resolve_issued_at(obj):
        return local(obj.issued_at, obj.estate.tz)

    @staticmethod
    def resolve_voided_at(obj):
        return local(obj.voided_at, obj.estate.tz)

    @staticmethod
    def resolve_fully_paid_at(obj):
        return local(obj.fully_paid_at, obj.estate.tz)


class BillPage(Schema):
    items: list[BillOut]
    count: int


class BillQuery(PageParams):
    estate: str = Field(..., description="estate code, e.g. HY01")
    due_from: dt.date | None = Field(None, description="due date from (inclusive)")
    due_to: dt.date | None = Field(None, description="due date before (exclusive)")
    issued_from: dt.date | None = Field(None, description="issued on or after (local date)")
    issued_to: dt.date | None = Field(None, description="issued before (local date, exclusive)")


class AllocationOut(Schema):
    payment_id: int
    payment_number: str = Field(alias="payment.number")
    amount: str
    at: dt.datetime
    reversal: bool

    @staticmethod
    def resolve_amount(obj) -> str:
        return _money(obj.amount)

    @staticmethod
    def resolve_reversal(obj) -> bool:
        return obj.reversal_id is not None


class BillDetailOut(BillOut):
    estate: str = Field(alias="estate.code")
    unit_id: int
    fee_item_name: str = Field(alias="fee_item.name")
    period_start: dt.date
    period_end: dt.date
    quantity: str
    unit_price: str
    outstanding: str
    void_reason: str
    reissue_of: int | None = Field(None, alias="reissue_of_id")
    reissue: int | None = None
    source_ref: str
    description: str
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_quantity(obj) -> str:
        return _money(obj.quantity)

    @staticmethod
    def resolve_unit_price(obj) -> str:
        return f"{obj.unit_price.normalize():f}"

    @staticmethod
    def resolve_outstanding(obj) -> str:
        return _money(obj.outstanding)

    @staticmethod
    def resolve_reissue(obj) -> int | None:
        return Bill.objects.filter(reissue_of=obj).values_list("pk", flat=True).first()

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.select_related("payment").order_by("at", "id"))


def _dates(query: BillQuery) -> None:
    from estate.errors import DomainError

    for low, high in (("due_from", "due_to"), ("issued_from", "issued_to")):
        a, b = getattr(query, low), getattr(query, high)
        if a and b and b <= a:
            raise DomainError("invalid", f"{high} must be after {low}", field=high)


@router.get(
    "/bills",
    response={200: BillPage, **ERRORS_4XX},
    summary="Bills of an estate by due date or issue date (the fee rates' cohorts)",
    description=(
        "`due_from`/`due_to` filter the due date and `issued_from`/`issued_to` the local "
        "issue date; every `_to` is exclusive. Voided bills are included (see `voided_at`): "
        "`fees.accuracy_rate` counts them. Amounts are decimal strings."
    ),
)
def bill_list(request, query: Query[BillQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    _dates(query)
    filters = selectors.BillFilters(
        due_from=query.due_from,
        due_to=query.due_to,
        issued_from=query.issued_from,
        issued_to=query.issued_to,
    )
    return paginate(selectors.bill_list(user=request.auth, estate=estate, filters=filters), query)


def _bill(request, bill_id: int) -> Bill:
    bill = selectors.bill_detail(user=request.auth, bill_id=bill_id)
    require(request.auth, bill.estate, perm.VIEW)
    return bill


@router.get(
    "/bills/{bill_id}",
    response={200: BillDetailOut, **ERRORS_4XX},
    summary="One bill with the payments applied to it",
)
def bill_detail(request, bill_id: int):
    return _bill(request, bill_id)


class VoidIn(Schema):
    reason: str = Field(..., max_length=200, examples=["面积录入错误"])
    reissue_amount: Decimal | None = Field(
        None, description="issue a corrected bill for this amount", examples=["236.50"]
    )


@router.post(
    "/bills/{bill_id}/void",
    response={200: BillDetailOut, **ERRORS_4XX},
    summary="Void a bill with a reason, and reissue it corrected (finance)",
    description="A bill with payments is refused with 409 until they are reversed.",
)
def bill_void(request, bill_id: int, body: VoidIn):
    bill = _bill(request, bill_id)
    return services.bill_void(
        bill=bill, reason=body.reason, by=request.auth, reissue_amount=body.reissue_amount
    )


# Payments -------------------------------------------------------------------------------------


class ReversalOut(Schema):
    number: str
    reason: str
    created_at: dt.datetime


class PaymentOut(Schema):
    id: int
    number: str
    estate: str = Field(alias="estate.code")
    unit_id: int
    unit: str = Field(alias="unit.number")
    amount: str = Field(examples=["1234.56"])
    method: str
    payer: str
    reference: str
    received_at: dt.datetime
    created_by: str
    reversal: ReversalOut | None = None

    @staticmethod
    def resolve_created_by(obj) -> str:
        # The username, or the name kept after the user was deleted.
        return obj.created_by.get_username() if obj.created_by_id else obj.created_by_name

    @staticmethod
    def resolve_amount(obj) -> str:
        return _money(obj.amount)

    @staticmethod
    def resolve_received_at(obj):
        return local(obj.received_at, obj.estate.tz)

    @staticmethod
    def resolve_reversal(obj):
        return getattr(obj, "reversal", None)


class PaymentAllocationOut(Schema):
    bill_id: int
    bill_number: str = Field(alias="bill.number")
    amount: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return _money(obj.amount)


class PaymentDetailOut(PaymentOut):
    allocations: list[PaymentAllocationOut]
    unit_credit: str = Field(description="the unit's credit balance now")

    @staticmethod
    def resolve_allocations(obj) -> list:
        return selectors.payment_allocations(obj)

    @staticmethod
    def resolve_unit_credit(obj) -> str:
        return _money(selectors.unit_credit(obj.unit))


class PaymentPage(Schema):
    items: list[PaymentOut]
    count: int


class PaymentIn(Schema):
    unit_id: int
    amount: Decimal = Field(..., description="CNY, at most 2 decimals", examples=["1234.56"])
    method: Payment.Method = Field(..., examples=["wechat"])
    received_at: dt.datetime | None = Field(None, description="default: now; with an offset")
    payer: str = Field("", max_length=50)
    reference: str = Field("", max_length=64, description="bank or WeChat/Alipay reference")
    bills: list[int] | None = Field(
        None,
        description="bill ids to pay, in order; default: the unit's open bills, oldest first. "
        "What is left over becomes the unit's credit.",
    )


class PaymentQuery(PageParams):
    estate: str = Field(..., description="estate code, e.g. HY01")
    unit_id: int | None = None
    received_from: dt.date | None = Field(None, description="local date, inclusive")
    received_to: dt.date | None = Field(None, description="local date, exclusive")


@router.post(
    "/payments",
    response={201: PaymentDetailOut, **ERRORS_4XX},
    summary="Record a payment (Idempotency-Key header required)",
    description=(
        "A retried request with the same `Idempotency-Key` returns the first payment and "
        "records nothing; the same key with another unit or amount is a 409."
    ),
)
def payment_create(
    request,
    body: PaymentIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=64),
):
    unit = get_scoped_or_404(Unit.objects.select_related("estate"), request.auth, pk=body.unit_id)
    payment = services.payment_record(
        unit=unit,
        amount=body.amount,
        method=body.method,
        received_at=body.received_at,
        payer=body.payer,
        reference=body.reference,
        idempotency_key=idempotency_key,
        bills=body.bills,
        by=request.auth,
    )
    return Status(201, payment)


@router.get("/payments", response={200: PaymentPage, **ERRORS_4XX}, summary="Payments of an estate")
def payment_list(request, query: Query[PaymentQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    qs = selectors.payment_list(user=request.auth, estate=estate)
    if query.unit_id is not None:
        qs = qs.filter(unit_id=query.unit_id)
    if query.received_from:
        qs = qs.filter(received_at__gte=date_range_start(query.received_from, estate.tz))
    if query.received_to:
        qs = qs.filter(received_at__lt=date_range_start(query.received_to, estate.tz))
    return paginate(qs, query)


def _payment(request, payment_id: int) -> Payment:
    payment = get_scoped_or_404(
        Payment.objects.select_related("estate", "unit", "created_by", "reversal"),
        request.auth,
        pk=payment_id,
    )
    require(request.auth, payment.estate, perm.VIEW)
    return payment


@router.get(
    "/payments/{payment_id}",
    response={200: PaymentDetailOut, **ERRORS_4XX},
    summary="One payment with the bills it paid",
)
def payment_detail(request, payment_id: int):
    return _payment(request, payment_id)


class ReverseIn(Schema):
    reason: str = Field(..., max_length=200, examples=["收款房号录错"])


@router.post(
    "/payments/{payment_id}/reverse",
    response={200: PaymentDetailOut, **ERRORS_4XX},
    summary="Reverse a payment with a reason (finance); the payment itself is never edited",
)
def payment_reverse(request, payment_id: int, body: ReverseIn):
    payment = _payment(request, payment_id)
    services.payment_reverse(payment=payment, reason=body.reason, by=request.auth)
    return _payment(request, payment_id)


class ReceiptQuery(Schema):
    size: str = Field("a4", pattern="^(a4|receipt)$", description="a4 or receipt (80 mm)")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/payments/{payment_id}/receipt.pdf",
    response=ERRORS_4XX,
    summary="The payment's receipt (收据) as PDF",
    openapi_extra=PDF_RESPONSE,
)
def payment_receipt_pdf(request, payment_id: int, query: Query[ReceiptQuery]):
    payment = _payment(request, payment_id)
    return _pdf(pdf.receipt_pdf(payment, size=query.size), f"{payment.number}.pdf")


# Arrears and statements -----------------------------------------------------------------------


class AgeingOut(Schema):
    d0_30: str = Field(description="owed 1-30 days past due")
    d31_90: str
    d91_180: str
    over_180: str
    total: str


class UnitArrearsOut(AgeingOut):
    unit_id: int
    unit: str
    oldest_due: dt.date
    bills: int


class ArrearsOut(Schema):
    estate: str
    today: dt.date
    units: int
    bills: int
    ageing: AgeingOut
    items: list[UnitArrearsOut]
    count: int


class ArrearsQuery(PageParams):
    estate: str = Field(..., description="estate code, e.g. HY01")
    min_days: int = Field(1, ge=1, le=3650, description="only units owing this many days")


def _ageing(row: dict) -> dict:
    return {k: _money(row[k]) for k in ("d0_30", "d31_90", "d91_180", "over_180", "total")}


@router.get(
    "/arrears",
    response={200: ArrearsOut, **ERRORS_4XX},
    summary="Arrears ageing of an estate (0-30, 31-90, 91-180, >180 days) and per unit",
)
def arrears_summary(request, query: Query[ArrearsQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    today = timezone.localtime(timezone.now(), estate.tz).date()
    totals = selectors.arrears_ageing(estate=estate, today=today)
    page = paginate(
        selectors.arrears_by_unit(estate=estate, today=today, min_days=query.min_days), query
    )
    return {
        "estate": estate.code,
        "today": today,
        "units": totals["units"],
        "bills": totals["bills"],
        "ageing": _ageing(totals),
        "items": [
            {
                **_ageing(row),
                "unit_id": row["unit_id"],
                "unit": row["unit__number"],
                "oldest_due": row["oldest_due"],
                "bills": row["bills"],
            }
            for row in page["items"]
        ],
        "count": page["count"],
    }


class EstateOnly(Schema):
    estate: str = Field(..., description="estate code, e.g. HY01")


@router.get(
    "/arrears/notices.pdf",
    response=ERRORS_4XX,
    summary="Arrears notices of every unit in arrears, one page each, as one PDF",
    openapi_extra=PDF_RESPONSE,
)
def arrears_notices_pdf(request, query: Query[EstateOnly]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    today = timezone.localtime(timezone.now(), estate.tz).date()
    return _pdf(pdf.arrears_notices_pdf(estate=estate, today=today), f"{estate.code}-{today}.pdf")


@router.get(
    "/units/{unit_id}/arrears-notice.pdf",
    response=ERRORS_4XX,
    summary="The arrears notice (催缴通知单) of one unit",
    openapi_extra=PDF_RESPONSE,
)
def unit_arrears_notice_pdf(request, unit_id: int):
    unit = get_scoped_or_404(Unit.objects.select_related("estate"), request.auth, pk=unit_id)
    require(request.auth, unit.estate, perm.VIEW)
    today = timezone.localtime(timezone.now(), unit.estate.tz).date()
    return _pdf(pdf.arrears_notice_pdf(unit=unit, today=today), f"{unit.number}-{today}.pdf")


class StatementQuery(Schema):
    estate: str = Field(..., description="estate code, e.g. HY01")
    period: str = Field(..., description="month YYYY-MM", examples=["2026-10"])


@router.get(
    "/fee-statement.pdf",
    response=ERRORS_4XX,
    summary="An estate's fee statement for a month, as PDF",
    openapi_extra=PDF_RESPONSE,
)
def fee_statement_pdf(request, query: Query[StatementQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    period = Period.month(estate.tz, query.period)
    return _pdf(
        pdf.period_statement_pdf(estate=estate, period=period), f"{estate.code}-{period.label}.pdf"
    )
