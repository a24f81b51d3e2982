"""The estate's calendar is read from the shared cache on the request path; every edit is seen
by the very next deadline (repairs/calendar.py: for_estate, calendar_changed)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from repairs import calendar, configuration
from repairs.models import CalendarDay, WorkingHours
from tests.repairs.factories import at

FRIDAY_5PM = at("2026-06-12 17:00")  # + 240 business minutes: Monday 12:00 on the plain week
AROUND = dt.date(2026, 6, 12)


def _due(estate):
    return calendar.for_estate(estate, around=AROUND).add_minutes(FRIDAY_5PM, 240)


def _calendar_queries(ctx) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "repairs_calendarday" in q["sql"] or "repairs_workinghours" in q["sql"]
    ]


def test_a_second_read_comes_from_the_cache(estate_a):
    assert _due(estate_a) == at("2026-06-15 12:00")
    with CaptureQueriesContext(connection) as ctx:
        assert _due(estate_a) == at("2026-06-15 12:00")
    assert _calendar_queries(ctx) == []


def test_a_holiday_set_by_a_manager_moves_the_next_deadline(estate_a, manager_a):
    assert _due(estate_a) == at("2026-06-15 12:00")  # cached now
    configuration.calendar_day_set(
        estate=estate_a, by=manager_a, date=dt.date(2026, 6, 15), kind="holiday", name="停电"
    )
    assert _due(estate_a) == at("2026-06-16 12:00")
    configuration.calendar_day_set(
        estate=estate_a, by=manager_a, date=dt.date(2026, 6, 15), kind="normal"
    )
    assert _due(estate_a) == at("2026-06-15 12:00")


def test_changed_working_hours_are_seen_at_once(estate_a, manager_a):
    assert _due(estate_a) == at("2026-06-15 12:00")
    configuration.working_hours_set(estate=estate_a, by=manager_a, weekday=0, morning=None)
    assert _due(estate_a) == at("2026-06-16 12:00")  # Monday closed


def test_an_imported_year_is_seen_at_once(estate_a):
    due = calendar.for_estate(estate_a, around=dt.date(2026, 9, 30)).add_minutes(
        at("2026-09-30 17:00"), 240
    )
    assert due == at("2026-10-01 12:00")
    configuration.calendar_year_import(estate=estate_a, year=2026)  # bulk writes, no signal
    due = calendar.for_estate(estate_a, around=dt.date(2026, 9, 30)).add_minutes(
        at("2026-09-30 17:00"), 240
    )
    assert due == at("2026-10-08 12:00")  # the National Day week is closed


def test_edits_outside_the_services_are_seen_at_once(estate_a):
    """The admin saves and deletes single rows: the model signals invalidate too."""
    assert _due(estate_a) == at("2026-06-15 12:00")
    day = CalendarDay.objects.create(
        estate=estate_a, date=dt.date(2026, 6, 15), kind="holiday", source="manual"
    )
    assert _due(estate_a) == at("2026-06-16 12:00")
    day.delete()
    assert _due(estate_a) == at("2026-06-15 12:00")
    WorkingHours.objects.create(
        estate=estate_a, weekday=0, morning_start=dt.time(8, 30), morning_end=dt.time(9, 30)
    )
    # Only Monday has hours now (one a day): 4 hours are four Mondays away.
    assert _due(estate_a) == at("2026-07-06 09:30")


def test_each_estate_has_its_own_calendar(estate_a, estate_b, manager_a):
    assert _due(estate_a) == _due(estate_b) == at("2026-06-15 12:00")
    configuration.calendar_day_set(
        estate=estate_a, by=manager_a, date=dt.date(2026, 6, 15), kind="holiday"
    )
    assert _due(estate_a) == at("2026-06-16 12:00")
    assert _due(estate_b) == at("2026-06-15 12:00")


def test_a_second_read_asks_the_shared_cache_only_for_the_version(estate_a, monkeypatch):
    """The rows of a version already read are kept in the process: one round trip per
    request (the version, which every edit replaces), not two."""
    from django.core.cache import cache

    assert _due(estate_a) == at("2026-06-15 12:00")
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: asked.append(key) or real_get(key))
    assert _due(estate_a) == at("2026-06-15 12:00")
    assert asked == [calendar._version_key(estate_a.pk)]
