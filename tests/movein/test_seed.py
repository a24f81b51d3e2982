"""The demo handovers: late ones, defects, ratings, bookings to come; neither rate trivial;
the counters add up."""

import pytest
from django.core.management import call_command
from django.db.models import F

from estate import kpi
from estate.models import Estate
from residents.movein import metrics
from residents.movein.models import Defect, Handover
from tests.movein.invariants import assert_booking_invariants

pytestmark = pytest.mark.django_db

NOW = "2026-11-20T10:00:00+08:00"


def _seed():
    call_command(
        "seed_demo",
        *("--estates", "2", "--months", "6", "--seed", "3"),
        *("--units-per-estate", "240", "--now", NOW),
    )


def test_demo_handovers_cover_every_case():
    _seed()
    assert_booking_invariants()
    done = Handover.objects.filter(status="completed")
    assert done.filter(completed_on__gt=F("booked_date")).exists()  # late
    assert done.filter(completed_on__lte=F("booked_date")).exists()
    assert done.filter(rating__lte=3).exists() and done.filter(rating__gte=4).exists()
    assert Handover.objects.filter(status="booked").exists()
    assert Defect.objects.filter(ticket__category__code="after_sales").exists()
    assert done.filter(unit__status="occupied").count() == done.count()
    estate = Estate.objects.get(code="HY01")
    period = kpi.Period(
        label="last 6 months",
        start=kpi.Period.month(estate.tz, "2026-05").start,
        end=kpi.Period.month(estate.tz, "2026-12").start,
        now=kpi.Period.month(estate.tz, "2026-11").end,
        is_month=False,
    )
    for key, ratio in metrics.compute(estate=estate, period=period).items():
        assert ratio.rate is not None and 0 < ratio.rate < 1, (key, ratio)


def test_every_demo_handover_has_its_own_rating_link():
    _seed()
    first = list(
        Handover.objects.order_by("id").values_list(
            "unit__number", "booked_date", "status", "completed_at", "rating", "rating_token"
        )
    )
    assert first
    assert len({row[-1] for row in first}) == len(first)
