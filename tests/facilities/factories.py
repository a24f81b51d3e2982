"""Builders for facilities tests."""

import datetime as dt

from community.facilities.models import Facility


def make_facility(estate, name: str = "社区活动室", **kw) -> Facility:
    fields = {
        "kind": "community_room",
        "capacity": 30,
        "opens": dt.time(8, 0),
        "closes": dt.time(21, 0),
        "slot_minutes": 60,
        "cancel_hours": 2,
    } | kw
    return Facility.objects.create(estate=estate, name=name, **fields)
