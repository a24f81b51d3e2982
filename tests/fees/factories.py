"""Builders for fees tests: fee items through the services, bills by hand where a test needs
exact dates."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

from django.utils import timezone

from fees import services
from fees.models import Bill, FeeItem
from tests.factories import make_staff

_seq = itertools.count(1)


def make_fee_item(
    estate,
    code: str = "PM",
    basis: str = FeeItem.Basis.PER_AREA,
    price: str = "2.50",
    valid_from: dt.date = dt.date(2020, 1, 1),
    **kw,
) -> FeeItem:
    return services.fee_item_create(
        estate=estate,
        code=code,
        name=kw.pop("name", code),
        basis=basis,
        price=Decimal(price),
        valid_from=valid_from,
        **kw,
    )


def make_bill(
    unit,
    amount: str = "100.00",
    *,
    due: dt.date = dt.date(2026, 11, 15),
    period: str | None = None,
    fee_item: FeeItem | None = None,
    issued_at: dt.datetime | None = None,
) -> Bill:
    """A periodic bill of the unit, due on ``due``; its period defaults to the month before."""
    estate = unit.estate
    fee_item = fee_item or FeeItem.objects.filter(estate=estate, code="PM").first()
    fee_item = fee_item or make_fee_item(estate)
    if period is None:
        start = (due.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    else:
        start = dt.date(int(period[:4]), int(period[5:]), 1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return Bill.objects.create(
        estate=estate,
        unit=unit,
        fee_item=fee_item,
        number=f"{estate.code}-{start:%Y%m}-{fee_item.code}-{unit.number}-{next(_seq)}",
        period=f"{start:%Y-%m}",
        period_start=start,
        period_end=end,
        quantity=Decimal("1.00"),
        unit_price=Decimal(amount),
        amount_due=Decimal(amount),
        due_date=due,
        issued_at=issued_at or timezone.now(),
    )


def make_finance(estate):
    return make_staff(estate, "finance")


def pay(unit, amount, by, *, key: str | None = None, **kw):
    """A cash payment with a fresh idempotency key unless one is given."""
    return services.payment_record(
        unit=unit,
        amount=amount,
        method=kw.pop("method", "cash"),
        idempotency_key=key or uuid.uuid4().hex,
        by=by,
        **kw,
    )
