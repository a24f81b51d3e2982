"""Builders for community tests."""

import datetime as dt
import itertools

from django.utils import timezone

from community import services
from community.models import Event

_phones = itertools.count(13800000000)


def next_phone() -> str:
    return str(next(_phones))


def make_event(estate, *, capacity: int = 10, starts_in=dt.timedelta(days=7), **kw) -> Event:
    now = timezone.now()
    starts = kw.pop("starts_at", now + starts_in)
    fields = {
        "title": "中秋游园会",
        "description": "猜灯谜、做月饼",
        "place": "会所多功能厅",
        "place_capacity": None,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "capacity": capacity,
        "signup_opens_at": now - dt.timedelta(days=1),
        "signup_closes_at": starts - dt.timedelta(hours=1),
        "fee": "0",
    }
    fields.update(kw)
    return services.event_create(estate=estate, **fields)


def sign_up(event, *, people: int = 1, unit=None, name: str = "张三", **kw):
    return services.signup_create(
        event=event, name=name, phone=kw.pop("phone", next_phone()), people=people, unit=unit, **kw
    )
