"""Arrears and statements over the API: the ageing of an estate and per unit, arrears
notices and the month's fee statement as PDFs."""

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from estate import localtime
from estate.kpi import Period
from estate.pages import pdf_response
from estate.schemas import ERRORS_4XX, EstateCode, PageParams, paginate
from estate.scoping import estate_by_code, require
from fees import pdf, selectors
from fees import permissions as perm
from fees.api.common import PDF_RESPONSE, EstateOnly
from fees.api.common import money as _money

router = Router(tags=["fees"])


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
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
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
    today = localtime.today(estate)
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


@router.get(
    "/arrears/notices.pdf",
    response=ERRORS_4XX,
    summary="Arrears notices of every unit in arrears, one page each, as one PDF",
    openapi_extra=PDF_RESPONSE,
)
def arrears_notices_pdf(request, query: Query[EstateOnly]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    today = localtime.today(estate)
    return pdf_response(
        pdf.arrears_notices_pdf(estate=estate, today=today), f"{estate.code}-{today}.pdf"
    )


@router.get(
    "/units/{unit_id}/arrears-notice.pdf",
    response=ERRORS_4XX,
    summary="The arrears notice (催缴通知单) of one unit",
    openapi_extra=PDF_RESPONSE,
)
def unit_arrears_notice_pdf(request, unit_id: int):
    unit = selectors.unit_for_page(user=request.auth, unit_id=unit_id)
    require(request.auth, unit.estate, perm.VIEW)
    today = localtime.today(unit.estate)
    return pdf_response(
        pdf.arrears_notice_pdf(unit=unit, today=today), f"{unit.number}-{today}.pdf"
    )


class StatementQuery(Schema):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
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
    return pdf_response(
        pdf.period_statement_pdf(estate=estate, period=period), f"{estate.code}-{period.label}.pdf"
    )
