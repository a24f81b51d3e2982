"""The demo renovations: every kind of application and violation is there, the three rates are
neither 0 nor 1, and fees' ledger still adds up."""

from django.core.management import call_command

from estate import kpi
from estate.kpi import Period
from renovation.models import Application, Violation
from renovation.selectors import uninspected
from tests.fees.invariants import assert_fee_invariants

ARGS = [
    "seed_demo",
    "--estates",
    "2",
    "--months",
    "3",
    "--seed",
    "3",
    "--units-per-estate",
    "120",
    "--now",
    "2026-11-02T03:00:00+08:00",
]


def test_seeded_renovations_cover_every_case(db):
    call_command(*ARGS)
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"rejected", "renovating", "accepted", "closed"} <= statuses
    assert statuses & {"submitted", "checked", "returned"}
    assert Application.objects.filter(non_routine=True).exists()
    assert Application.objects.filter(non_routine=False).exists()
    assert set(Violation.objects.values_list("source", flat=True)) == {
        "inspection",
        "resident_report",
        "acceptance",
    }
    assert Violation.objects.filter(outcome="not_rectified", penalty__gt=0).exists()
    assert Violation.objects.filter(closed_at__isnull=True).exists()
    assert_fee_invariants()
    import datetime as dt

    from django.utils import timezone

    from estate.models import Estate

    now = dt.datetime.fromisoformat("2026-11-02T03:00:00+08:00")
    estate = Estate.objects.get(code="HY01")
    totals = {"n": [0, 0, 0], "d": [0, 0, 0]}
    for label in ("2026-08", "2026-09", "2026-10"):
        result = kpi.compute_all(estate=estate, period=Period.month(estate.tz, label, now=now))
        for i, key in enumerate(
            [
                "renovation.violation_detection_rate",
                "renovation.violation_timely_rate",
                "renovation.violation_success_rate",
            ]
        ):
            totals["n"][i] += result[key].numerator
            totals["d"][i] += result[key].denominator
    for n, d in zip(totals["n"], totals["d"], strict=True):
        assert 0 < n < d, totals
    assert timezone.is_aware(now)
    assert uninspected(estate=estate, now=now, every_days=7).exists()
