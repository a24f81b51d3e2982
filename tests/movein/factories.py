"""Builders for move-in tests: an estate's default calendar, bookings through the service."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from residents.movein import services
from residents.movein.models import HandoverItem, SlotTemplate
from tests.factories import make_unit

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=SH)
_phones = itertools.count(13800000001)


def at(text: str, tz=SH) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def first_slot(estate) -> SlotTemplate:
    services.calendar_install_defaults(estate=estate)
    return SlotTemplate.objects.filter(estate=estate).order_by("start").first()


def book(estate, *, date=None, slot=None, unit=None, now=NOW, **kw):
    """A handover booked by the front desk (``by`` given) or by the system."""
    fields = {"owner_name": "李娜", "owner_phone": str(next(_phones))} | kw
    return services.handover_book(
        estate=estate,
        unit=unit or make_unit(estate, status="unsold"),
        date=date or dt.date(2026, 10, 10),
        slot=slot or first_slot(estate),
        now=now,
        **fields,
    )


def walk(handover, *, now=None):
    """Start the handover and tick every item (fees settled: the unit owes nothing)."""
    handover = services.handover_start(handover=handover, now=now)
    for item in HandoverItem.objects.filter(handover=handover):
        services.item_update(item=item, key_count=3, reading="12.5", now=now)
    return handover


def complete(handover, at_time, *, rating=None):
    handover = walk(handover, now=at_time)
    if rating is not None:
        services.handover_rate(handover=handover, rating=rating, now=at_time)
    return services.handover_complete(handover=handover, now=at_time)
