"""Estates, buildings, units and the KPI table over the API."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from estate import kpi, selectors
from estate.errors import DomainError
from estate.models import Building, Unit
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams, local, paginate
from estate.scoping import estate_by_code, estates_for, get_scoped_or_404, require, roles_of

router = Router(tags=["estates"])


class EstateOut(Schema):
    id: int
    code: str
    name: str
    address: str
    timezone: str
    service_phone: str


class BuildingOut(Schema):
    id: int
    estate: str = Field(alias="estate.code")
    number: str
    name: str


class UnitOut(Schema):
    id: int
    estate: str = Field(alias="estate.code")
    building: str = Field(alias="building.number")
    number: str
    floor_area: Decimal
    status: str


class MeOut(Schema):
    username: str
    company_admin: bool
    roles: dict[str, str]


class EstatePage(Schema):
    items: list[EstateOut]
    count: int


class BuildingPage(Schema):
    items: list[BuildingOut]
    count: int


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class UnitFilters(PageParams):
    estate: EstateCode | None = Field(None, description="estate code")
    q: str = Field("", max_length=32, description="unit number or its beginning, e.g. 3-2-15")


class KpiMetricOut(Schema):
    key: str
    label: str
    numerator: str
    denominator: str
    rate: str | None


class KpiOut(Schema):
    estate: str
    period: str
    computed_at: dt.datetime
    stored: bool = Field(
        description="true: the stored snapshot; false: no snapshot of this month yet (or a date "
        "range), computed for this answer and not stored"
    )
    metrics: list[KpiMetricOut]


class KpiQuery(Schema):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
    period: str | None = Field(None, description="month YYYY-MM in the estate's time zone")
    from_: Day | None = Field(None, alias="from", description="start date (inclusive)")
    to: Day | None = Field(None, description="end date (exclusive)")


@router.get("/me", response=MeOut, summary="Who am I and my roles per estate")
def me(request):
    from estate.scoping import is_company_admin

    codes = selectors.estate_codes(roles_of(request.auth))
    return {
        "username": request.auth.get_username(),
        "company_admin": is_company_admin(request.auth),
        "roles": {codes[eid]: role for eid, role in roles_of(request.auth).items()},
    }


@router.get("/estates", response=EstatePage, summary="Estates I belong to")
def estate_list(request, page: Query[PageParams]):
    return paginate(estates_for(request.auth).order_by("code"), page)


@router.get("/estates/{code}", response={200: EstateOut, **ERRORS_4XX}, summary="One estate")
def estate_detail(request, code: str):
    return estate_by_code(request.auth, code)


@router.get("/buildings", response={200: BuildingPage, **ERRORS_4XX}, summary="Buildings")
def building_list(request, page: Query[PageParams], estate: str | None = None):
    est = estate_by_code(request.auth, estate) if estate else None
    return paginate(selectors.building_list(user=request.auth, estate=est), page)


@router.get("/buildings/{building_id}", response={200: BuildingOut, **ERRORS_4XX})
def building_detail(request, building_id: int):
    return get_scoped_or_404(
        Building.objects.select_related("estate"), request.auth, pk=building_id
    )


@router.get(
    "/units",
    response={200: UnitPage, **ERRORS_4XX},
    summary="Units, searchable by unit number",
)
def unit_list(request, filters: Query[UnitFilters]):
    est = estate_by_code(request.auth, filters.estate) if filters.estate else None
    qs = selectors.unit_search(user=request.auth, estate=est, q=filters.q)
    return paginate(qs, filters)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS_4XX}, summary="One unit")
def unit_detail(request, unit_id: int):
    return get_scoped_or_404(
        Unit.objects.select_related("estate", "building"), request.auth, pk=unit_id
    )


@router.get(
    "/kpis",
    response={200: KpiOut, **ERRORS_4XX},
    summary="The rates of one estate for a month or a date range (KPI.md)",
    description=(
        "Serves the stored snapshot of the month, the figure every page shows (a month without "
        "one is computed for the answer and not stored: `stored` is false). "
        "`period=YYYY-MM`, or `from`/`to` dates (`to` exclusive), computed on the spot. "
        "`rate` is null where the denominator is 0."
    ),
)
def kpi_list(request, query: Query[KpiQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, "kpi.view")
    if query.period and (query.from_ or query.to):
        raise DomainError("invalid", _("Give either period or from/to, not both."), field="period")
    if query.period:
        period = kpi.Period.month(estate.tz, query.period)
    elif query.from_ and query.to:
        period = kpi.Period.for_dates(estate.tz, query.from_, query.to)
    else:
        raise DomainError(
            "invalid", _("period (YYYY-MM) or from and to are required."), field="period"
        )
    table = selectors.kpi_table(estate=estate, period=period)
    return {
        "estate": estate.code,
        "period": period.label,
        "computed_at": local(table.computed_at or period.now, estate.tz),
        "stored": table.stored,
        "metrics": [
            {
                "key": value.metric.key,
                "label": value.metric.label,
                "numerator": value.metric.fmt(value.ratio.numerator),
                "denominator": value.metric.fmt(value.ratio.denominator),
                "rate": None if value.ratio.rate is None else str(value.ratio.rate),
            }
            for value in table.values
        ],
    }


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.get("/tokens", response=list[TokenOut], summary="My API tokens (never the token itself)")
def token_list(request):
    return selectors.api_token_list(user=request.auth)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **ERRORS_4XX},
    summary="Revoke one of my API tokens",
)
def token_revoke(request, token_id: int):
    from django.shortcuts import get_object_or_404

    from estate.models import ApiToken
    from estate.services import api_token_revoke

    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return api_token_revoke(token=token)
