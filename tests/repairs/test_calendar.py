"""Deadline arithmetic on business hours (repairs/calendar.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from repairs import calendar, configuration
from repairs.calendar import BusinessCalendar
from tests.repairs.factories import at

SH = ZoneInfo("Asia/Shanghai")
PLAIN = BusinessCalendar(tz=SH)  # Mon-Fri 08:30-12:00, 13:30-17:30, no holidays


def test_across_lunch():
    # Monday 11:00 + 120 min: one hour before lunch, one after it.
    assert PLAIN.add_minutes(at("2026-06-08 11:00"), 120) == at("2026-06-08 14:30")


def test_across_a_weekend():
    assert PLAIN.add_minutes(at("2026-06-12 16:30"), 120) == at("2026-06-15 09:30")


def test_report_outside_hours_starts_at_the_next_opening():
    assert PLAIN.add_minutes(at("2026-06-08 20:00"), 30) == at("2026-06-09 09:00")
    assert PLAIN.add_minutes(at("2026-06-08 12:30"), 30) == at("2026-06-08 14:00")
    assert PLAIN.add_minutes(at("2026-06-13 10:00"), 0) == at("2026-06-15 08:30")


def test_friday_evening_before_the_holiday_week_runs_into_the_makeup_sunday():
    # 2026 National Day: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are working days.
    cal = BusinessCalendar(
        tz=SH,
        holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
        workdays=frozenset({dt.date(2026, 9, 20), dt.date(2026, 10, 10)}),
    )
    # Friday 09-18 17:00 + 240: 30 min on Friday, then 210 on the makeup Sunday morning.
    assert cal.add_minutes(at("2026-09-18 17:00"), 240) == at("2026-09-20 12:00")
    # Wednesday 09-30 17:00 + 240: 30 min, then the holiday week, then Thursday 10-08.
    assert cal.add_minutes(at("2026-09-30 17:00"), 240) == at("2026-10-08 12:00")
    # Friday 10-09 17:00 + 60: the makeup Saturday 10-10 opens at 08:30.
    assert cal.add_minutes(at("2026-10-09 17:00"), 60) == at("2026-10-10 09:00")


def test_around_the_clock_category_ignores_hours():
    due = calendar.deadline(at("2026-09-30 17:00"), 240, calendar=PLAIN, business=False)
    assert due == at("2026-09-30 21:00")


def test_minutes_between_counts_only_opening_time():
    assert PLAIN.minutes_between(at("2026-06-12 16:30"), at("2026-06-15 09:30")) == 120
    assert PLAIN.minutes_between(at("2026-06-13 09:00"), at("2026-06-14 18:00")) == 0


def test_shift_moves_a_deadline_by_the_business_time_on_hold():
    due = at("2026-06-08 16:00")
    moved = calendar.shift(
        due, at("2026-06-08 11:00"), at("2026-06-08 14:30"), calendar=PLAIN, business=True
    )
    assert moved == at("2026-06-09 09:00")  # 120 business minutes on hold: 90 + 30
    moved = calendar.shift(
        due, at("2026-06-08 11:00"), at("2026-06-08 14:30"), calendar=PLAIN, business=False
    )
    assert moved == at("2026-06-08 19:30")


def test_daylight_saving_zone():
    ny = ZoneInfo("America/New_York")
    # 2026-03-08 02:00 EST jumps to 03:00 EDT: an hour around the clock is one real hour.
    due = calendar.deadline(
        at("2026-03-08 01:30", ny), 60, calendar=BusinessCalendar(tz=ny), business=False
    )
    assert due == at("2026-03-08 03:30", ny)
    assert due.astimezone(dt.UTC) - at("2026-03-08 01:30", ny).astimezone(dt.UTC) == dt.timedelta(
        hours=1
    )
    # Business hours keep local wall-clock opening times on both sides of the change.
    cal = BusinessCalendar(tz=ny)
    assert cal.add_minutes(at("2026-03-06 17:00", ny), 60) == at("2026-03-09 09:00", ny)


def test_a_calendar_with_no_hours_is_refused_not_looped():
    with pytest.raises(ValueError):
        BusinessCalendar(tz=SH, week={}).add_minutes(at("2026-06-08 09:00"), 10)


@pytest.mark.django_db
def test_imported_official_calendar_drives_the_estate_deadlines(estate_a):
    record = configuration.calendar_year_import(estate=estate_a, year=2026)
    assert record.source == "chinese_calendar" and not record.provisional
    cal = calendar.for_estate(estate_a, around=dt.date(2026, 9, 18))
    assert dt.date(2026, 10, 1) in cal.holidays
    assert dt.date(2026, 9, 20) in cal.workdays and dt.date(2026, 10, 10) in cal.workdays
    assert cal.add_minutes(at("2026-09-18 17:00"), 240) == at("2026-09-20 12:00")
    assert cal.add_minutes(at("2026-09-30 17:00"), 240) == at("2026-10-08 12:00")


@pytest.mark.django_db
def test_manager_corrections_survive_a_reimport(estate_a, manager_a):
    configuration.calendar_year_import(estate=estate_a, year=2026)
    configuration.calendar_day_set(
        estate=estate_a, by=manager_a, date=dt.date(2026, 10, 10), kind="normal"
    )
    configuration.calendar_day_set(
        estate=estate_a, by=manager_a, date=dt.date(2026, 6, 1), kind="holiday", name="停电"
    )
    configuration.calendar_year_import(estate=estate_a, year=2026)
    cal = calendar.for_estate(estate_a, around=dt.date(2026, 6, 1))
    assert dt.date(2026, 6, 1) in cal.holidays
    assert dt.date(2026, 10, 10) not in cal.workdays  # the manager's word stands
    assert dt.date(2026, 9, 20) in cal.workdays  # the rest is imported again


@pytest.mark.django_db
def test_a_year_without_official_data_is_provisional(estate_a):
    record = configuration.calendar_year_import(estate=estate_a, year=2030)
    assert record.source == "holidays" and record.provisional


# KPI.md: a hold that spans no business minute moves nothing.
def test_shift_by_a_hold_after_closing_moves_nothing():
    due = at("2026-06-08 17:30")
    moved = calendar.shift(
        due, at("2026-06-08 17:45"), at("2026-06-08 18:30"), calendar=PLAIN, business=True
    )
    assert moved == due


def test_shift_by_a_hold_over_the_lunch_break_moves_nothing():
    due = at("2026-06-08 12:00")
    moved = calendar.shift(
        due, at("2026-06-08 12:05"), at("2026-06-08 13:25"), calendar=PLAIN, business=True
    )
    assert moved == due


def test_shift_by_a_hold_that_spans_business_minutes_moves_by_those_minutes():
    # 17:00-18:30 covers 30 business minutes: 17:30 + 30 min is the next morning's 09:00.
    moved = calendar.shift(
        at("2026-06-08 17:30"),
        at("2026-06-08 17:00"),
        at("2026-06-08 18:30"),
        calendar=PLAIN,
        business=True,
    )
    assert moved == at("2026-06-09 09:00")
    # 11:50-13:40 covers 10 + 10 minutes around the lunch break.
    moved = calendar.shift(
        at("2026-06-08 12:00"),
        at("2026-06-08 11:50"),
        at("2026-06-08 13:40"),
        calendar=PLAIN,
        business=True,
    )
    assert moved == at("2026-06-08 13:50")
