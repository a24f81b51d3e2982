"""The three violation rates, exactly as KPI.md defines them, on a data set built by hand
(period 2026-10 in Asia/Shanghai, computed at 2026-11-02 03:00 local)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estate import kpi
from estate.kpi import Period
from renovation import metrics, selectors
from tests.factories import make_staff
from tests.renovation.factories import make_renovating, make_violation

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def violations(estate_a):
    """
    | v  | source          | found       | due         | closed / outcome           |
    |----|-----------------|-------------|-------------|----------------------------|
    | V1 | inspection      | 10-03 09:00 | 10-04 09:00 | rectified 10-04 08:00      |
    | V2 | inspection      | 10-10 10:00 | 10-11 10:00 | rectified 10-12 10:00 late |
    | V3 | resident_report | 10-15 09:00 | 10-18 09:00 | not rectified              |
    | V4 | acceptance      | 10-20 14:00 | 10-22 14:00 | open, past due at now      |
    | V5 | inspection      | 10-31 23:59 | 11-03 09:00 | open, not yet due          |
    | V6 | inspection      | 11-01 00:00 | 11-02 00:00 | (November)                 |
    | V7 | resident_report | 10-28 10:00 | 10-29 10:00 | rectified 10-29 09:00      |
    | V8 | inspection      | 09-30 23:59 | 10-01 23:59 | (September)                |
    | V9 | acceptance      | 10-29 10:00 | 10-30 10:00 | rectified exactly at due   |
    """
    app = make_renovating(estate_a)
    v = {}
    rows = [
        (
            "V1",
            "inspection",
            "2026-10-03 09:00",
            "2026-10-04 09:00",
            "rectified",
            "2026-10-04 08:00",
        ),
        (
            "V2",
            "inspection",
            "2026-10-10 10:00",
            "2026-10-11 10:00",
            "rectified",
            "2026-10-12 10:00",
        ),
        ("V3", "resident_report", "2026-10-15 09:00", "2026-10-18 09:00", "not_rectified", None),
        ("V4", "acceptance", "2026-10-20 14:00", "2026-10-22 14:00", "", None),
        ("V5", "inspection", "2026-10-31 23:59", "2026-11-03 09:00", "", None),
        ("V6", "inspection", "2026-11-01 00:00", "2026-11-02 00:00", "", None),
        (
            "V7",
            "resident_report",
            "2026-10-28 10:00",
            "2026-10-29 10:00",
            "rectified",
            "2026-10-29 09:00",
        ),
        ("V8", "inspection", "2026-09-30 23:59", "2026-10-01 23:59", "", None),
        (
            "V9",
            "acceptance",
            "2026-10-29 10:00",
            "2026-10-30 10:00",
            "rectified",
            "2026-10-30 10:00",
        ),
    ]
    for name, source, found, due, outcome, rectified in rows:
        v[name] = make_violation(
            app,
            source=source,
            found_at=at(found),
            due_at=at(due),
            outcome=outcome,
            rectified_at=at(rectified) if rectified else None,
            penalty="100.00" if outcome == "not_rectified" else "0",
        )
    return v


def _period(estate):
    return Period.month(estate.tz, "2026-10", now=NOW)


def test_the_three_rates_by_hand(estate_a, violations, django_assert_num_queries):
    with django_assert_num_queries(1):  # one aggregate query for the three rates
        result = metrics.compute(estate=estate_a, period=_period(estate_a))
    detection = result["renovation.violation_detection_rate"]
    timely = result["renovation.violation_timely_rate"]
    success = result["renovation.violation_success_rate"]
    # Cohort V1-V5, V7, V9; found on patrol: V1, V2, V5.
    assert (detection.numerator, detection.denominator, detection.rate) == (3, 7, Decimal("0.4286"))
    # Closed V1, V2, V3, V7, V9 plus V4 (past due); V5 not yet due. On time: V1, V7, V9.
    assert (timely.numerator, timely.denominator, timely.rate) == (3, 6, Decimal("0.5000"))
    # Rectified V1, V2, V7, V9 of the five closed.
    assert (success.numerator, success.denominator, success.rate) == (4, 5, Decimal("0.8000"))


def test_once_v5_is_due_it_joins_the_timely_denominator(estate_a, violations):
    later = Period.month(estate_a.tz, "2026-10", now=at("2026-11-03 09:01"))
    timely = metrics.compute(estate=estate_a, period=later)["renovation.violation_timely_rate"]
    assert (timely.numerator, timely.denominator) == (3, 7)


def test_an_empty_month_has_no_rate(estate_a, violations):
    empty = Period.month(estate_a.tz, "2026-08", now=NOW)
    result = metrics.compute(estate=estate_a, period=empty)
    assert all(r.rate is None for r in result.values())


def test_registered_with_the_kpi_engine_and_linked(estate_a, violations):
    keys = [m.key for m in kpi.metrics() if m.key.startswith("renovation.")]
    assert keys == [
        "renovation.violation_detection_rate",
        "renovation.violation_timely_rate",
        "renovation.violation_success_rate",
    ]
    assert kpi.get(keys[0]).label_zh == "违章发现率"
    all_rates = kpi.compute_all(estate=estate_a, period=_period(estate_a))
    assert all_rates["renovation.violation_success_rate"].rate == Decimal("0.8000")
    url = kpi.get(keys[1]).link(estate_a, _period(estate_a), "numerator")
    assert url.startswith(reverse("renovation:violations"))
    assert "metric=renovation.violation_timely_rate" in url and "part=numerator" in url


@pytest.mark.parametrize(
    ("key", "part", "expected"),
    [
        ("renovation.violation_detection_rate", "numerator", {"V1", "V2", "V5"}),
        (
            "renovation.violation_detection_rate",
            "denominator",
            {"V1", "V2", "V3", "V4", "V5", "V7", "V9"},
        ),
        ("renovation.violation_timely_rate", "numerator", {"V1", "V7", "V9"}),
        ("renovation.violation_timely_rate", "denominator", {"V1", "V2", "V3", "V4", "V7", "V9"}),
        ("renovation.violation_success_rate", "numerator", {"V1", "V2", "V7", "V9"}),
        ("renovation.violation_success_rate", "denominator", {"V1", "V2", "V3", "V7", "V9"}),
    ],
)
def test_drill_down_lists_exactly_the_counted_violations(estate_a, violations, key, part, expected):
    names = {v.pk: n for n, v in violations.items()}
    period = _period(estate_a)
    qs = selectors.metric_violations(estate=estate_a, period=period, key=key, part=part)
    assert {names[pk] for pk in qs.values_list("pk", flat=True)} == expected
    ratio = metrics.compute(estate=estate_a, period=period)[key]
    assert len(expected) == (ratio.numerator if part == "numerator" else ratio.denominator)


def test_the_drill_down_page_shows_the_same_records(client, estate_a, violations):
    client.force_login(make_staff(estate_a, "manager"))
    url = kpi.get("renovation.violation_success_rate").link(
        estate_a, _period(estate_a), "numerator"
    )
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    shown = {n for n, v in violations.items() if v.number in body}
    assert shown == {"V1", "V2", "V7", "V9"}
