"""The demo data: every case the rates must see, and the ledger invariants."""

import pytest
from django.core.management import call_command
from django.db.models import F

from estate import kpi
from estate.models import Estate
from fees.metrics import compute
from fees.models import Bill, FinanceSettings, Payment, Reminder, Reversal, UnitAccount
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db


def test_demo_fees_cover_every_case_and_keep_the_invariants():
    call_command(
        "seed_demo",
        "--estates",
        "2",
        "--months",
        "12",
        "--seed",
        "3",
        "--units-per-estate",
        "120",
        "--now",
        "2026-11-20T10:00:00+08:00",
    )
    assert_fee_invariants()
    bills = Bill.objects.all()
    assert bills.filter(voided_at__isnull=False, reissue__isnull=False).exists()
    assert bills.filter(reissue_of__isnull=False).exists()
    assert bills.filter(amount_paid__gt=0, amount_paid__lt=F("amount_due")).exists()
    assert bills.filter(fully_paid_at__date__gt=F("due_date")).exists()
    assert bills.filter(amount_paid=0, voided_at__isnull=True, due_date__lt="2026-05-01").exists()
    assert Reversal.objects.exists() and Payment.objects.count() > Reversal.objects.count()
    assert UnitAccount.objects.filter(credit__gt=0).exists()
    assert Reminder.objects.exists()
    assert bills.filter(period="2026-11").count() > 0
    # Receipt numbers follow the order in which the money was taken, in every estate and year.
    for estate in Estate.objects.all():
        numbers = list(
            Payment.objects.filter(estate=estate, number__contains="-SJ")
            .order_by("received_at", "id")
            .values_list("number", flat=True)
        )
        assert numbers and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
        assert FinanceSettings.objects.get(estate=estate).books_open_on is not None
    assert bills.filter(period="2025-12").count() > 0
    estate = Estate.objects.get(code="HY01")
    for label in ("2026-06", "2026-10"):
        period = kpi.Period.month(estate.tz, label)
        for key, ratio in compute(estate=estate, period=period).items():
            assert ratio.rate is not None and 0 < ratio.rate < 1, (label, key, ratio)
