"""Payments over the API: record one (idempotent), list, read, reverse, its receipt, and the
day-end summary."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from estate import localtime
from estate.errors import DomainError
from estate.pages import pdf_response
from estate.schemas import ERRORS_4XX, Amount, Day, EstateCode, Moment, PageParams, local, paginate
from estate.scoping import estate_by_code, require
from fees import pdf, selectors, services
from fees import permissions as perm
from fees.api.common import PDF_RESPONSE
from fees.api.common import money as _money
from fees.models import Payment

router = Router(tags=["fees"])


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
    amount: Amount = Field(..., description="CNY, at most 2 decimals", examples=["1234.56"])
    method: Payment.Method = Field(..., examples=["wechat"])
    received_at: Moment | None = Field(None, description="default: now; with an offset")
    payer: str = Field("", max_length=50)
    reference: str = Field("", max_length=64, description="bank or WeChat/Alipay reference")
    bills: list[int] | None = Field(
        None,
        description="bill ids to pay, in order; default: the unit's open bills, oldest first. "
        "What is left over becomes the unit's credit.",
    )


class PaymentQuery(PageParams):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
    unit_id: int | None = None
    received_from: Day | None = Field(None, description="local date, inclusive")
    received_to: Day | None = Field(None, description="local date, exclusive")


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
    unit = selectors.unit_for_page(user=request.auth, unit_id=body.unit_id)
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
    qs = selectors.payment_list(
        user=request.auth,
        estate=estate,
        unit_id=query.unit_id,
        received_from=query.received_from,
        received_to=query.received_to,
    )
    return paginate(qs, query)


def _payment(request, payment_id: int) -> Payment:
    payment = selectors.payment_for_page(user=request.auth, payment_id=payment_id)
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


@router.get(
    "/payments/{payment_id}/receipt.pdf",
    response=ERRORS_4XX,
    summary="The payment's receipt (收据) as PDF",
    openapi_extra=PDF_RESPONSE,
)
def payment_receipt_pdf(request, payment_id: int, query: Query[ReceiptQuery]):
    payment = _payment(request, payment_id)
    return pdf_response(pdf.receipt_pdf(payment, size=query.size), f"{payment.number}.pdf")


class DayEndQuery(Schema):
    estate: str = Field(..., description="estate code, e.g. HY01")
    day: dt.date | None = Field(None, description="the estate's local day; default today")
    cashier: int | None = Field(None, description="user id of one cashier; default everyone")


class DayEndLineOut(Schema):
    method: str = Field(description="payment method code; empty on the total")
    count: int
    amount: str = Field(examples=["1234.56"])
    reversed_count: int
    reversed_amount: str
    net: str


class DayEndOut(Schema):
    estate: str
    day: dt.date
    cashier: int | None
    lines: list[DayEndLineOut]
    total: DayEndLineOut


def _line(line) -> dict:
    return {
        "method": line.method,
        "count": line.count,
        "amount": _money(line.amount),
        "reversed_count": line.reversed_count,
        "reversed_amount": _money(line.reversed_amount),
        "net": _money(line.net),
    }


@router.get(
    "/day-end",
    response={200: DayEndOut, **ERRORS_4XX},
    summary="Day-end (日结): a day's payments by method, reversals apart",
    description=(
        "Payments count on the estate's local day they were received, under the user who "
        "recorded them; reversals on the day they were made, under the method and cashier of "
        "the payment they undo. `amount` of the total equals the sum of the day's payments."
    ),
)
def day_end(request, query: Query[DayEndQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    today = localtime.today(estate)
    day = query.day or today
    if day.year < 2000 or day > today:
        raise DomainError("invalid", _("Choose a day from 2000 to today."), field="day")
    cashier = None
    if query.cashier is not None:
        cashier = get_user_model().objects.filter(pk=query.cashier).first()
        if cashier is None:
            raise DomainError("invalid", _("Unknown cashier."), field="cashier")
    summary = selectors.day_end(estate=estate, day=day, cashier=cashier, with_lists=False)
    return {
        "estate": estate.code,
        "day": day,
        "cashier": cashier.pk if cashier is not None else None,
        "lines": [_line(line) for line in summary.lines],
        "total": _line(summary.total),
    }
