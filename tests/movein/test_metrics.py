"""The two move-in rates of KPI.md on a data set built by hand, and their drill-down lists."""

import datetime as dt

import pytest

from estate import kpi
from residents.movein import metrics, selectors
from tests.movein.factories import SH, at, book, complete

pytestmark = pytest.mark.django_db

NOW = at("2026-11-02 03:00")


@pytest.fixture
def october(estate_a):
    """Handovers of HY01 (Asia/Shanghai); times local.

    | h  | booked | completed            | rating | in 2026-10 | on schedule |
    | H1 | 10-10  | 10-10 15:00          | 5      | yes        | yes         |
    | H2 | 10-10  | 10-12 10:00          | 2      | yes        | no          |
    | H3 | 10-15  | 10-16 07:00 (UTC 15) | 4      | yes        | no (local date 10-16) |
    | H4 | 10-15  | 10-15 23:30 (UTC 15) | -      | yes        | yes         |
    | H5 | 10-20  | 10-19 10:00 (early)  | -      | yes        | yes         |
    | H6 | 10-31  | 11-01 00:30 (UTC 10-31) | 5   | no (November) | -        |
    | H7 | 10-25  | not completed        | -      | no         | -           |
    """
    rows = [
        ("H1", dt.date(2026, 10, 10), "2026-10-10 15:00", 5),
        ("H2", dt.date(2026, 10, 10), "2026-10-12 10:00", 2),
        ("H3", dt.date(2026, 10, 15), "2026-10-16 07:00", 4),
        ("H4", dt.date(2026, 10, 15), "2026-10-15 23:30", None),
        ("H5", dt.date(2026, 10, 20), "2026-10-19 10:00", None),
        ("H6", dt.date(2026, 10, 31), "2026-11-01 00:30", 5),
    ]
    made = {}
    for name, booked, done, rating in rows:
        made[name] = complete(book(estate_a, date=booked), at(done), rating=rating)
    made["H7"] = book(estate_a, date=dt.date(2026, 10, 25))
    return made


def _period(estate):
    return kpi.Period.month(estate.tz, "2026-10", now=NOW)


def test_rates_exact(estate_a, october, django_assert_num_queries):
    with django_assert_num_queries(1):  # the one aggregate over the cohort
        result = metrics.compute(estate=estate_a, period=_period(estate_a))
    sat = result["movein.satisfaction_rate"]
    assert (sat.numerator, sat.denominator, sat.rate) == (2, 3, kpi.Decimal("0.6667"))
    sched = result["movein.on_schedule_rate"]
    assert (sched.numerator, sched.denominator, sched.rate) == (3, 5, kpi.Decimal("0.6000"))


def test_drill_down_lists_exactly_the_records_counted(estate_a, october):
    period = _period(estate_a)
    names = {h.pk: n for n, h in october.items()}

    def listed(key, part):
        qs = selectors.metric_handovers(estate=estate_a, period=period, key=key, part=part)
        return sorted(names[pk] for pk in qs.values_list("pk", flat=True))

    assert listed("movein.satisfaction_rate", "numerator") == ["H1", "H3"]
    assert listed("movein.satisfaction_rate", "denominator") == ["H1", "H2", "H3"]
    assert listed("movein.on_schedule_rate", "numerator") == ["H1", "H4", "H5"]
    assert listed("movein.on_schedule_rate", "denominator") == ["H1", "H2", "H3", "H4", "H5"]


def test_empty_period_is_null_not_zero(estate_a):
    result = metrics.compute(estate=estate_a, period=kpi.Period.month(SH, "2026-09", now=NOW))
    assert result["movein.satisfaction_rate"].rate is None
    assert result["movein.on_schedule_rate"].rate is None


def test_registered_with_the_engine_and_linked(estate_a, october):
    keys = [m.key for m in kpi.metrics()]
    assert "movein.satisfaction_rate" in keys and "movein.on_schedule_rate" in keys
    assert kpi.get("movein.satisfaction_rate").label_zh == "接房满意率"
    assert kpi.get("movein.on_schedule_rate").label_zh == "按期交房率"
    all_rates = kpi.compute_all(estate=estate_a, period=_period(estate_a))
    assert all_rates["movein.on_schedule_rate"].rate == kpi.Decimal("0.6000")
    url = kpi.get("movein.on_schedule_rate").link(estate_a, _period(estate_a), "numerator")
    assert url.startswith("/movein/handovers/?") and "metric=movein.on_schedule_rate" in url


def test_other_estate_not_counted(estate_a, estate_b, october):
    result = metrics.compute(estate=estate_b, period=_period(estate_b))
    assert result["movein.on_schedule_rate"].denominator == 0
