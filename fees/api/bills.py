"""Fee items and bills over the API: the bill list is the fee rates' cohorts, so anyone can
recompute them from it; one bill with its payments; voiding (and reissuing) a bill."""

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, Amount, Day, EstateCode, PageParams, local, paginate
from estate.scoping import estate_by_code, require
from fees import permissions as perm
from fees import selectors, services
from fees.api.common import EstateQuery
from fees.api.common import money as _money
from fees.models import Bill

router = Router(tags=["fees"])


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


@router.get(
    "/fee-items",
    response={200: FeeItemPage, **ERRORS_4XX},
    summary="Fee items of an estate with their prices over time",
)
def fee_item_list(request, query: Query[EstateQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    return paginate(selectors.fee_item_list(estate=estate), query)


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
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
    due_from: Day | None = Field(None, description="due date from (inclusive)")
    due_to: Day | None = Field(None, description="due date before (exclusive)")
    issued_from: Day | None = Field(None, description="issued on or after (local date)")
    issued_to: Day | None = Field(None, description="issued before (local date, exclusive)")


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
        return selectors.bill_reissue_id(obj)

    @staticmethod
    def resolve_allocations(obj) -> list:
        return selectors.bill_allocations(obj)


def _dates(query: BillQuery) -> None:
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
    reissue_amount: Amount | None = Field(
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
