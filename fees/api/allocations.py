"""Allocations over the API: every allocation of money to a bill, a reversal as a negative
amount on the day it was made, so that anyone can recompute 清欠率 (KPI.md)."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, PageParams, local, paginate
from estate.scoping import estate_by_code, require
from fees import permissions as perm
from fees import selectors
from fees.api.common import money

router = Router(tags=["fees"])


class AllocationItemOut(Schema):
    id: int
    payment: int = Field(alias="payment_id")
    bill: int = Field(alias="bill_id")
    bill_due_date: dt.date = Field(alias="bill.due_date")
    amount: str = Field(examples=["120.00", "-120.00"])
    applied_at: dt.datetime

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount)

    @staticmethod
    def resolve_applied_at(obj):
        return local(obj.at, obj._tz)


class AllocationPage(Schema):
    items: list[AllocationItemOut]
    count: int


class AllocationQuery(PageParams):
    estate: str = Field(..., description="estate code, e.g. HY01")
    applied_from: dt.date | None = Field(None, description="applied on or after (local date)")
    applied_to: dt.date | None = Field(None, description="applied before (local date, exclusive)")


@router.get(
    "/allocations",
    response={200: AllocationPage, **ERRORS_4XX},
    summary="Every allocation of money to a bill (for 清欠率), oldest first",
    description=(
        "`applied_from`/`applied_to` filter the local date the money reached the bill "
        "(`applied_to` exclusive). A reversal appears as a negative amount on the day it was "
        "made. With the bills list (`due_date`, `amount_due`, `voided_at`) this recomputes "
        "`fees.arrears_recovery_rate`. Amounts are decimal strings."
    ),
)
def allocation_list(request, query: Query[AllocationQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    if query.applied_from and query.applied_to and query.applied_to <= query.applied_from:
        raise DomainError(
            "invalid", _("applied_to must be after applied_from."), field="applied_to"
        )
    qs = selectors.allocation_list(
        user=request.auth,
        estate=estate,
        applied_from=query.applied_from,
        applied_to=query.applied_to,
    )
    page = paginate(qs, query)
    for item in page["items"]:
        item._tz = estate.tz
    return page
