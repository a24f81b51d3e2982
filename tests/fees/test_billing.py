"""Bill generation, prices over time, cycles, meters and parking."""

import datetime as dt
from decimal import Decimal

import pytest

from estate.errors import DomainError
from fees import services
from fees.models import Bill, FeeItem, MeterReading
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_fee_item

pytestmark = pytest.mark.django_db


def test_generation_bills_every_sold_unit_once_with_amounts_rounded_half_up(estate_a):
    make_fee_item(estate_a, "PM", price="2.35")
    a = make_unit(estate_a, "1-1-101", area="89.30")  # 209.855 -> 209.86
    # 89.10 × 2.35 = 209.385: half-up gives 209.39, banker's rounding would give 209.38.
    b = make_unit(estate_a, "1-1-102", area="89.10", status="vacant")
    make_unit(estate_a, "1-1-103", area="120.00", status="unsold")

    assert services.bills_generate(estate=estate_a, period_label="2026-10") == 2
    bill = Bill.objects.get(unit=a)
    assert bill.amount_due == Decimal("209.86")
    assert Bill.objects.get(unit=b).amount_due == Decimal("209.39")
    assert bill.number == "HY01-202610-PM-1-1-101"
    assert bill.due_date == dt.date(2026, 11, 15)
    assert (bill.period_start, bill.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert services.bills_generate(estate=estate_a, period_label="2026-10") == 0
    assert Bill.objects.count() == 2


def test_a_new_price_never_rewrites_old_bills(estate_a):
    item = make_fee_item(estate_a, "PM", price="2.00")
    make_unit(estate_a, "1-1-101", area="100.00")
    services.bills_generate(estate=estate_a, period_label="2026-09")
    services.fee_price_set(fee_item=item, price="2.50", valid_from=dt.date(2026, 10, 1))
    services.bills_generate(estate=estate_a, period_label="2026-10")

    amounts = dict(Bill.objects.values_list("period", "amount_due"))
    assert amounts == {"2026-09": Decimal("200.00"), "2026-10": Decimal("250.00")}
    with pytest.raises(DomainError) as exc:
        services.fee_price_set(fee_item=item, price="3.00", valid_from=dt.date(2026, 1, 1))
    assert exc.value.field == "valid_from"
    with pytest.raises(DomainError) as exc:
        services.fee_price_set(fee_item=item, price="-1", valid_from=dt.date(2027, 1, 1))
    assert exc.value.field == "price"


def test_quarterly_items_bill_three_months_in_their_cycle_months(estate_a):
    make_fee_item(estate_a, "PMQ", price="2.00", cycle=FeeItem.Cycle.QUARTERLY, due_month_offset=-3)
    make_unit(estate_a, "1-1-101", area="50.00")
    assert services.bills_generate(estate=estate_a, period_label="2026-11") == 0
    assert services.bills_generate(estate=estate_a, period_label="2026-10") == 1
    bill = Bill.objects.get()
    assert bill.amount_due == Decimal("300.00")
    assert bill.period_end == dt.date(2027, 1, 1)
    assert bill.due_date == dt.date(2026, 10, 15)  # paid in advance, by the 15th of its 1st month


def test_metered_bills_come_from_readings(estate_a):
    water = make_fee_item(
        estate_a, "WATER", basis=FeeItem.Basis.METERED, price="4.20", unit_label="m³"
    )
    unit = make_unit(estate_a, "1-1-101")
    make_unit(estate_a, "1-1-102")
    reader = make_staff(estate_a, "technician")
    services.meter_reading_record(
        unit=unit, fee_item=water, period_label="2026-09", reading="100.00", by=reader
    )
    services.meter_reading_record(
        unit=unit, fee_item=water, period_label="2026-10", reading="112.50", by=reader
    )
    with pytest.raises(DomainError) as exc:
        services.meter_reading_record(
            unit=unit, fee_item=water, period_label="2026-11", reading="99", by=reader
        )
    assert exc.value.field == "reading"

    assert services.bills_generate(estate=estate_a, period_label="2026-10") == 1
    bill = Bill.objects.get()
    assert (bill.quantity, bill.amount_due) == (Decimal("12.50"), Decimal("52.50"))
    with pytest.raises(DomainError) as exc:
        services.meter_reading_record(
            unit=unit, fee_item=water, period_label="2026-10", reading="120", by=reader
        )
    assert exc.value.status == 409


def test_meter_import_dry_run_and_all_or_nothing(estate_a):
    water = make_fee_item(estate_a, "WATER", basis=FeeItem.Basis.METERED, price="4.20")
    make_unit(estate_a, "1-1-101")
    make_unit(estate_a, "1-1-102")
    finance = make_staff(estate_a, "finance")
    rows = [("1-1-101", "10.5"), ("1-1-102", "20")]

    dry = services.meter_readings_import(
        estate=estate_a, fee_item=water, period_label="2026-10", rows=rows, by=finance, dry_run=True
    )
    assert (dry.ok, dry.saved, MeterReading.objects.count()) == (True, 2, 0)

    bad = services.meter_readings_import(
        estate=estate_a,
        fee_item=water,
        period_label="2026-10",
        rows=[*rows, ("9-9-999", "1"), ("1-1-101", "-3")],
        by=finance,
    )
    assert [(e[0], e[2]) for e in bad.errors] == [(3, "unit"), (4, "unit")]
    assert MeterReading.objects.count() == 0

    done = services.meter_readings_import(
        estate=estate_a, fee_item=water, period_label="2026-10", rows=rows, by=finance
    )
    assert (done.ok, done.saved, MeterReading.objects.count()) == (True, 2, 2)


def test_parking_bills_units_with_spaces(estate_a):
    parking = make_fee_item(estate_a, "PARK", basis=FeeItem.Basis.PER_SPACE, price="300")
    unit = make_unit(estate_a, "1-1-101")
    make_unit(estate_a, "1-1-102")
    services.fee_assignment_set(
        unit=unit, fee_item=parking, quantity="2", starts_on=dt.date(2026, 1, 1)
    )
    assert services.bills_generate(estate=estate_a, period_label="2026-10") == 1
    assert Bill.objects.get().amount_due == Decimal("600.00")


def test_bad_period_is_refused(estate_a):
    with pytest.raises(DomainError) as exc:
        services.bills_generate(estate=estate_a, period_label="2026-13")
    assert exc.value.field == "period"


def test_generate_bills_command(estate_a):
    from django.core.management import call_command

    make_fee_item(estate_a, "PM", price="1.00")
    make_unit(estate_a, "1-1-101")
    call_command("generate_bills", "--estate", "HY01", "--period", "2026-10")
    call_command("generate_bills", "--estate", "hy01", "--period", "2026-10")
    assert Bill.objects.count() == 1


def test_monthly_task_bills_every_estate_for_its_current_month(estate_a, estate_b):
    from django.utils import timezone

    from fees import tasks

    for estate in (estate_a, estate_b):
        make_fee_item(estate, "PM", price="1.00")
        make_unit(estate, "1-1-101")
    tasks.generate_monthly_bills()
    label = f"{timezone.localtime(timezone.now(), estate_a.tz):%Y-%m}"
    assert Bill.objects.filter(period=label).count() == 2
    tasks.generate_monthly_bills()
    assert Bill.objects.count() == 2


def test_money_rounds_half_up_where_bankers_rounding_would_not():
    from fees.services.ledger import money

    assert money(Decimal("0.125")) == Decimal("0.13")  # round-half-even: 0.12
    assert money(Decimal("2.665")) == Decimal("2.67")  # round-half-even: 2.66
    assert money(Decimal("-0.125")) == Decimal("-0.13")
