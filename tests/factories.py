"""Small builders with readable defaults: a test states only what matters to it."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from estate.models import Building, Estate, Membership, Unit

_seq = itertools.count(1)


def make_estate(code: str | None = None, name: str = "测试小区", tz: str = "Asia/Shanghai", **kw):
    code = code or f"T{next(_seq):03d}"
    return Estate.objects.create(code=code, name=name, timezone=tz, **kw)


def make_building(estate: Estate, number: str = "1") -> Building:
    building, _ = Building.objects.get_or_create(estate=estate, number=number)
    return building


def make_unit(estate: Estate, number: str | None = None, area: str = "100.00", **kw) -> Unit:
    number = number or f"1-1-{next(_seq):04d}"
    building = make_building(estate, number.split("-")[0])
    return Unit.objects.create(
        estate=estate, building=building, number=number, floor_area=Decimal(area), **kw
    )


def make_user(username: str | None = None, **kw):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="pw-Secret-123", **kw)


def make_staff(estate: Estate, role: str, username: str | None = None):
    user = make_user(username or f"{estate.code.lower()}-{role}-{next(_seq)}")
    Membership.objects.create(user=user, estate=estate, role=role)
    return user


def make_company_admin(username: str | None = None):
    return make_user(username or f"boss{next(_seq)}", is_superuser=True, is_staff=True)
