"""Rate targets over the API: readable by every role that sees the rates, set by managers
(an estate's) and company admins (the defaults)."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from estate import scoping
from estate.dashboard import selectors, services
from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, local

router = Router(tags=["rates"])


class TargetOut(Schema):
    estate: str | None = Field(description="estate code; null for the company default")
    key: str
    label: str
    target: str | None = Field(description="the estate's own target (decimal 0-1), or null")
    default: str | None = Field(description="the company default (decimal 0-1), or null")
    effective: str | None = Field(description="what the dashboard compares with")
    set_by: str | None
    set_at: dt.datetime | None


class TargetQuery(Schema):
    estate: str | None = Field(None, description="estate code; without it, the company defaults")


class TargetIn(Schema):
    estate: str | None = Field(None, description="estate code; null sets the company default")
    key: str = Field(description="metric key, e.g. repairs.timely_rate")
    target: str = Field(description='a rate 0-1 ("0.95") or a percentage ("95%")')


class TargetClear(Schema):
    estate: str | None = None
    key: str


def _rows(user, estate) -> list[dict]:
    out = []
    for row in selectors.target_list(estate=estate):
        own, default = row["own"], row["default"]
        shown = own or default
        effective = own or default
        out.append(
            {
                "estate": estate.code if estate else None,
                "key": row["metric"].key,
                "label": row["metric"].label,
                "target": str(own.target) if own else None,
                "default": str(default.target) if default else None,
                "effective": str(effective.target) if effective else None,
                "set_by": shown.set_by_name if shown else None,
                "set_at": local(shown.set_at, estate.tz if estate else None) if shown else None,
            }
        )
    return out


def _estate(user, code: str | None):
    if not code:
        return None
    return scoping.estate_by_code(user, code)


@router.get(
    "/kpi-targets",
    response={200: list[TargetOut], **ERRORS_4XX},
    summary="The target of every rate: an estate's own, the company default, the effective one",
)
def target_list(request, query: Query[TargetQuery]):
    estate = _estate(request.auth, query.estate)
    if estate is not None:
        scoping.require(request.auth, estate, "kpi.view")
    elif not any(
        scoping.can(request.auth, e, "kpi.view") for e in scoping.estates_for(request.auth)
    ):
        raise DomainError("forbidden", "Your role does not allow this.", status=403)
    return _rows(request.auth, estate)


@router.put(
    "/kpi-targets",
    response={200: TargetOut, **ERRORS_4XX},
    summary="Set a rate's target for an estate (managers) or the company default (company admins)",
)
def target_set(request, payload: TargetIn):
    estate = _estate(request.auth, payload.estate)
    services.kpi_target_set(
        user=request.auth, estate=estate, key=payload.key, target=payload.target
    )
    return next(r for r in _rows(request.auth, estate) if r["key"] == payload.key)


@router.delete(
    "/kpi-targets",
    response={200: TargetOut, **ERRORS_4XX},
    summary="Remove an estate's own target (the default applies again) or a company default",
)
def target_clear(request, query: Query[TargetClear]):
    estate = _estate(request.auth, query.estate)
    services.kpi_target_clear(user=request.auth, estate=estate, key=query.key)
    return next(r for r in _rows(request.auth, estate) if r["key"] == query.key)


__all__ = ["router"]
