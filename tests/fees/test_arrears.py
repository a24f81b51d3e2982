"""Arrears: ageing per unit, who to remind, the daily reminder task."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from estate.models import Notification
from fees import selectors, services
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_unit_ageing_matches_its_row_in_the_estate_list(estate_a, unit_a, finance_a):
    make_bill(unit_a, "100.00", due=dt.date(2026, 11, 10), period="2026-10")  # 10 days
    make_bill(unit_a, "200.00", due=dt.date(2026, 8, 1), period="2026-07")  # 111 days
    make_bill(unit_a, "300.00", due=dt.date(2026, 11, 20), period="2026-11")  # due today
    with time_machine.travel(dt.datetime(2026, 8, 15, 10, tzinfo=estate_a.tz), tick=False):
        pay(unit_a, "50.00", finance_a)  # oldest first: the July bill owes 150.00

    unit = selectors.unit_arrears(unit=unit_a, today=TODAY)
    row = selectors.arrears_by_unit(estate=estate_a, today=TODAY).get()

    expected = {
        "d0_30": Decimal("100.00"),
        "d31_90": Decimal("0.00"),
        "d91_180": Decimal("150.00"),
        "over_180": Decimal("0.00"),
        "total": Decimal("250.00"),
    }
    assert {k: unit[k] for k in expected} == expected
    assert {k: row[k] for k in expected} == expected
    assert row["oldest_due"] == dt.date(2026, 8, 1)
    assert selectors.arrears_by_unit(estate=estate_a, today=TODAY, min_days=112).count() == 0


def test_units_to_remind_skip_recent_reminders_and_pending_promises(estate_a, finance_a):
    owing = [make_unit(estate_a, f"1-1-{n}") for n in (101, 102, 103, 104)]
    for unit in owing:
        make_bill(unit, "100.00", due=dt.date(2026, 10, 15))
    reminded_at = dt.datetime(2026, 11, 18, 10, tzinfo=estate_a.tz)
    long_ago = dt.datetime(2026, 10, 20, 10, tzinfo=estate_a.tz)
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=estate_a.tz), tick=False):
        services.reminder_record(unit=owing[0], channel="phone", by=finance_a, at=reminded_at)
        services.reminder_record(
            unit=owing[1],
            channel="visit",
            by=finance_a,
            at=long_ago,
            promised_date=dt.date(2026, 11, 25),
        )
        services.reminder_record(unit=owing[2], channel="sms", by=finance_a, at=long_ago)

    rows = selectors.units_to_remind(estate=estate_a, today=TODAY)

    assert sorted(r["unit__number"] for r in rows) == ["1-1-103", "1-1-104"]


def test_daily_task_notifies_finance_of_units_to_remind(estate_a, estate_b):
    from fees import tasks

    finance = make_staff(estate_a, "finance")
    make_staff(estate_a, "front_desk")
    today = timezone.localtime(timezone.now(), estate_a.tz).date()
    make_bill(make_unit(estate_a, "1-1-101"), "10.00", due=today - dt.timedelta(days=3))

    tasks.list_units_to_remind()

    note = Notification.objects.get()
    assert note.user == finance
    assert note.title == "有 1 户欠费待催缴"
    assert note.link.startswith("/fees/")
