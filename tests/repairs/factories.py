"""Builders for repairs tests: categories with plain service levels, tickets via the service."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from repairs import services
from repairs.models import Category, Department
from tests.factories import make_unit

_seq = itertools.count(1)
SH = ZoneInfo("Asia/Shanghai")


def at(text: str, tz=SH) -> dt.datetime:
    """``at("2026-10-03 09:00")`` in Shanghai (or the zone given)."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def make_category(
    estate,
    kind: str = "repair",
    *,
    code: str | None = None,
    business_hours: bool = False,
    response: int = 30,
    resolve: int = 24 * 60,
    **kw,
) -> Category:
    """Same minutes for every priority unless given; around the clock by default."""
    return Category.objects.create(
        estate=estate,
        kind=kind,
        code=code or f"cat{next(_seq)}",
        name=kw.pop("name", "给排水"),
        business_hours=business_hours,
        **{f"response_minutes_{p}": response for p in ("normal", "urgent", "emergency")},
        **{f"resolve_minutes_{p}": resolve for p in ("normal", "urgent", "emergency")},
        **kw,
    )


def make_department(estate, code: str = "engineering") -> Department:
    return Department.objects.get_or_create(estate=estate, code=code, defaults={"name": "工程部"})[
        0
    ]


def make_ticket(estate, *, category=None, kind: str = "repair", unit=None, now=None, **kw):
    """A ticket logged through the service (by a resident unless ``by`` is given)."""
    category = category or make_category(estate, kind)
    if unit is None and "common_area" not in kw:
        unit = make_unit(estate)
    fields = {
        "priority": "normal",
        "channel": "phone",
        "description": "厨房水管漏水",
        "reporter_name": "王伟",
        "reporter_phone": "13812345678",
    } | kw
    return services.ticket_create(
        estate=estate, kind=kind, category=category, unit=unit, now=now, **fields
    )
