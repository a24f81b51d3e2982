"""Estates, buildings, units and the KPI table over the API."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from estate import kpi, kpi_selectors, selectors
from estate.errors import DomainError
from estate.models import Building, Unit
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams, local, paginate
from estate.scoping import (
    can,
    estate_by_code,
    estates_for,
    get_scoped_or_404,
    require,
    roles_of,
)

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
    estate: EstateCode | None = Field(None, description="estate code, e.g. HY01")
    period: str | None = Field(None, description="month YYYY-MM in the estate's time zone")
    from_: Day | None = Field(None, alias="from", description="start date (inclusive)")
    to: Day | None = Field(None, description="end date (exclusive)")
    estates: str | None = Field(
        None,
        max_length=2000,
        description="several estates: codes separated by commas, or `all` (every estate you "
        "may see the rates of); answers a list",
    )
    period_from: str | None = Field(
        None, description="first month YYYY-MM of a range (with period_to); answers a list"
    )
    period_to: str | None = Field(None, description="last month YYYY-MM of a range, inclusive")


class KpiCellOut(Schema):
    estate: str
    period: str
    computed_at: dt.datetime
    stored: bool
    frozen: bool = Field(description="the month is closed: late records no longer change it")
    metrics: list[KpiMetricOut]


class KpiListOut(Schema):
    items: list[KpiCellOut]
    count: int


class KpiTrendQuery(Schema):
    key: str | None = Field(
        None, description="metric key, e.g. repairs.timely_rate; every key when not given"
    )
    estate: EstateCode | None = Field(None, description="estate code")
    estates: str | None = Field(None, max_length=2000, description="codes, or `all`")
    period: str | None = Field(None, description="last month YYYY-MM (default: this month)")
    months: int = Field(12, ge=1, le=36, description="how many months, ending with period")


class KpiPointOut(Schema):
    period: str
    numerator: str
    denominator: str
    rate: str | None


class KpiSeriesOut(Schema):
    key: str
    label: str
    points: list[KpiPointOut] = Field(
        description="oldest first; over several estates each month is the sum of their "
        "numerators over the sum of their denominators"
    )


class KpiTrendOut(Schema):
    estates: list[str]
    months: list[str]
    series: list[KpiSeriesOut]


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


def _kpi_estates(user, estate: str | None, estates: str | None) -> list:
    """The estates a KPI question names: one code, several (comma-separated) or ``all`` — only
    the user's, and only those whose rates the user may read (a code of another estate: 404)."""
    if estates and estates.strip().lower() == "all":
        allowed = [e for e in estates_for(user).order_by("code") if can(user, e, "kpi.view")]
        return allowed
    codes = [c.strip() for c in (estates or estate or "").split(",") if c.strip()]
    if not codes:
        raise DomainError("invalid", _("estate (or estates) is required."), field="estate")
    found = []
    for code in dict.fromkeys(codes):
        one = estate_by_code(user, code, field="estates" if estates else "estate")
        require(user, one, "kpi.view")
        found.append(one)
    return found


def _metric_out(metric, ratio) -> dict:
    return {
        "key": metric.key,
        "label": metric.label,
        "numerator": metric.fmt(ratio.numerator),
        "denominator": metric.fmt(ratio.denominator),
        "rate": None if ratio.rate is None else str(ratio.rate),
    }


@router.get(
    "/kpis",
    response={200: KpiOut | KpiListOut, **ERRORS_4XX},
    summary="The rates of one estate for a month or a date range, or of several estates and "
    "months (KPI.md)",
    description=(
        "Serves the stored snapshot of the month, the figure every page shows (a month without "
        "one is computed for the answer and not stored: `stored` is false). "
        "`estate` with `period=YYYY-MM`, or `from`/`to` dates (`to` exclusive, computed on the "
        "spot), answers one object as KPI.md shows. With `estates` (codes separated by commas, "
        "or `all`) and/or a month range `period_from`..`period_to` (inclusive, at most 36 "
        "months) it answers `{items: [...], count}`, one item per estate and month "
        "(estates by code, months oldest first). `rate` is null where the denominator is 0."
    ),
)
def kpi_list(request, query: Query[KpiQuery]):
    if query.estates or query.period_from or query.period_to:
        return _kpi_table(request, query)
    if not query.estate:
        raise DomainError("invalid", _("estate (or estates) is required."), field="estate")
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
    return KpiOut(
        estate=estate.code,
        period=period.label,
        computed_at=local(table.computed_at or period.now, estate.tz),
        stored=table.stored,
        metrics=[_metric_out(value.metric, value.ratio) for value in table.values],
    )


def _kpi_table(request, query: KpiQuery):
    if query.from_ or query.to:
        raise DomainError(
            "invalid", _("A list of months takes period_from/period_to, not from/to."), field="from"
        )
    first = query.period_from or query.period
    last = query.period_to or query.period_from or query.period
    if not first or not last:
        raise DomainError(
            "invalid", _("period, or period_from and period_to, is required."), field="period"
        )
    months = kpi_selectors.months_between(first, last)
    estates = _kpi_estates(request.auth, query.estate, query.estates)
    grid = kpi_selectors.kpi_table(estates=estates, months=months)
    items = []
    for estate in grid.estates:
        for label in months:
            cells = grid.of(estate, label)
            items.append(
                {
                    "estate": estate.code,
                    "period": label,
                    "computed_at": local(max(c.computed_at for c in cells), estate.tz),
                    "stored": all(c.stored for c in cells),
                    "frozen": any(c.frozen for c in cells),
                    "metrics": [_metric_out(c.metric, c.ratio) for c in cells],
                }
            )
    return KpiListOut(items=items, count=len(items))


@router.get(
    "/kpis/trend",
    response={200: KpiTrendOut, **ERRORS_4XX},
    summary="Each rate (or one, `key`) month by month (12 months by default), for one estate "
    "or several",
    description=(
        "The stored figures of `months` months ending with `period`. Over several estates "
        "(`estates`: codes separated by commas, or `all`) each month is the company's figure: "
        "the sum of the numerators over the sum of the denominators, never an average of rates."
    ),
)
def kpi_trend(request, query: Query[KpiTrendQuery]):
    estates = _kpi_estates(request.auth, query.estate, query.estates)
    if query.period:
        last = query.period
    else:
        tz = estates[0].tz if estates else None
        now = local(timezone.now(), tz) if tz else timezone.now()
        last = f"{now.year:04d}-{now.month:02d}"
    months = kpi_selectors.months_ending(last, query.months)
    if query.key is not None and query.key not in {m.key for m in kpi.metrics()}:
        raise DomainError(
            "invalid", _("There is no metric %(key)s.") % {"key": query.key}, field="key"
        )
    keys = [query.key] if query.key else None
    trends = kpi_selectors.kpi_trends(estates=estates, months=months, keys=keys)
    series = []
    for key, points in trends.items():
        metric = kpi.get(key)
        series.append(
            {
                "key": key,
                "label": metric.label,
                "points": [
                    {
                        "period": label,
                        "numerator": metric.fmt(ratio.numerator),
                        "denominator": metric.fmt(ratio.denominator),
                        "rate": None if ratio.rate is None else str(ratio.rate),
                    }
                    for label, ratio in points
                ],
            }
        )
    return {"estates": [e.code for e in estates], "months": months, "series": series}


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
