"""Deadline arithmetic on an estate's business calendar.

"Add 240 business minutes to Friday 17:00 before a holiday week" is answered here and nowhere
else. A business day has up to two opening intervals (morning and afternoon, the lunch break
between); public holidays close a day and makeup working days (调休) open a weekend day.
All arithmetic is done on UTC instants, so daylight-saving zones are handled; intervals are
built from local wall-clock times in the estate's zone.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
UTC = dt.UTC
Interval = tuple[dt.time, dt.time]

DEFAULT_DAY: tuple[Interval, ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)
DEFAULT_WEEK: dict[int, tuple[Interval, ...]] = {d: DEFAULT_DAY for d in range(5)}
# No deadline is more than this many days of searching away; a calendar with no opening hours
# at all would otherwise loop forever.
MAX_DAYS = 800


@dataclass(frozen=True)
class BusinessCalendar:
    """The opening hours of one estate: a weekly pattern plus dated exceptions.

    ``week`` maps a weekday (0 = Monday) to its intervals; a weekday missing from it is closed.
    ``holidays`` close a date; ``workdays`` open one with ``makeup_hours``."""

    tz: ZoneInfo
    week: dict[int, tuple[Interval, ...]] = field(default_factory=lambda: dict(DEFAULT_WEEK))
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    makeup_hours: tuple[Interval, ...] = DEFAULT_DAY

    def hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.week.get(day.weekday()) or self.makeup_hours
        return self.week.get(day.weekday(), ())

    def is_business_day(self, day: dt.date) -> bool:
        return bool(self.hours_on(day))

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's opening intervals as UTC instants."""
        out = []
        for start, end in self.hours_on(day):
            a = dt.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            b = dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
            if b > a:
                out.append((a, b))
        return out

    def add_minutes(self, start: dt.datetime, minutes: int | float) -> dt.datetime:
        """The instant ``minutes`` of opening time after ``start``. A start outside the
        hours counts from the next opening; the result is in the estate's zone."""
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        remaining = dt.timedelta(minutes=minutes)
        cursor = start.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            for a, b in self.intervals_on(day):
                if b <= cursor:
                    continue
                a = max(a, cursor)
                if remaining <= b - a:
                    return (a + remaining).astimezone(self.tz)
                remaining -= b - a
                cursor = b
            day += dt.timedelta(days=1)
        raise ValueError("no business hours within reach; check the estate's working hours")

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Opening minutes in [start, end) (0 when end is not after start)."""
        if end <= start:
            return 0.0
        a0, b0 = start.astimezone(UTC), end.astimezone(UTC)
        total = dt.timedelta()
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self.intervals_on(day):
                lo, hi = max(a, a0), min(b, b0)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60


def deadline(
    start: dt.datetime, minutes: int | float, *, calendar: BusinessCalendar, business: bool
) -> dt.datetime:
    """``minutes`` after ``start``, on business hours or around the clock."""
    if business:
        return calendar.add_minutes(start, minutes)
    return (start.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(calendar.tz)


def shift(
    due: dt.datetime,
    held_from: dt.datetime,
    held_until: dt.datetime,
    *,
    calendar: BusinessCalendar,
    business: bool,
) -> dt.datetime:
    """A deadline moved by the time spent on hold, measured on the same clock it runs on.

    On business hours it moves by the business minutes the hold covered; a hold that covered
    none (after closing, over the lunch break, on a holiday) moves nothing, so a deadline at
    17:30 is not pushed to the next opening by a hold from 17:45 to 18:30 (KPI.md)."""
    if business:
        held = calendar.minutes_between(held_from, held_until)
        return calendar.add_minutes(due, held) if held > 0 else due
    return (due.astimezone(UTC) + (held_until - held_from)).astimezone(calendar.tz)


# The estate's calendar on the request path ------------------------------------------------------
# Every ticket logged and every hold released needs it; it changes a few times a year. It is
# kept in the shared cache (Redis in a deployment) per estate and year, under a version that
# calendar_changed() replaces at once and again on commit: a reader that loaded the old rows
# before the change stored them under the old version, which nobody reads any more.
CACHE_TTL = 24 * 3600


def _version_key(estate_id: int) -> str:
    return f"repairs:calendar:{estate_id}:version"


def calendar_changed(estate_id: int) -> None:
    """The estate's working hours or dated exceptions changed: cached calendars are stale."""
    from django.core.cache import cache
    from django.db import transaction

    def bump():
        try:
            cache.set(_version_key(estate_id), secrets.token_hex(8), None)
        except Exception as exc:  # noqa: BLE001 - an unreachable cache serves nothing either
            log.warning("could not invalidate the calendar cache (%s)", exc)

    bump()
    transaction.on_commit(bump)


def _rows(estate_id: int, year: int) -> tuple[dict, list, list]:
    """(week, holidays, workdays) of the estate, its exceptions from 31 days before ``year``
    to 400 days after it: every ``around`` in the year reads within them."""
    from repairs.models import CalendarDay, WorkingHours

    week = {
        r.weekday: tuple(
            (s, e)
            for s, e in ((r.morning_start, r.morning_end), (r.afternoon_start, r.afternoon_end))
            if s is not None and e is not None
        )
        for r in WorkingHours.objects.filter(estate_id=estate_id).order_by("weekday")
    }
    holidays, workdays = [], []
    for day, kind in CalendarDay.objects.filter(
        estate_id=estate_id,
        date__gte=dt.date(year, 1, 1) - dt.timedelta(days=31),
        date__lte=dt.date(year, 12, 31) + dt.timedelta(days=400),
    ).values_list("date", "kind"):
        if kind == CalendarDay.DayKind.HOLIDAY:
            holidays.append(day)
        elif kind == CalendarDay.DayKind.WORKDAY:
            workdays.append(day)
    return week, holidays, workdays


# The rows of a version already read, in this process: a version names one content for good,
# so only the version is asked of the shared cache per request (one round trip, not two, and
# nothing to unpickle). Entries age out as the shared cache's do; the memo is bounded.
_memo: dict[str, tuple[float, tuple[dict, list, list]]] = {}
MEMO_SIZE = 512


def _cached_rows(estate_id: int, year: int) -> tuple[dict, list, list]:
    from django.core.cache import cache

    try:
        version = cache.get(_version_key(estate_id))
        if version is None:
            cache.add(_version_key(estate_id), secrets.token_hex(8), None)
            version = cache.get(_version_key(estate_id))
        key = f"repairs:calendar:{estate_id}:{version}:{year}"
        memo = _memo.get(key)
        if memo is not None and memo[0] > time.monotonic():
            return memo[1]
        found = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation, never a gate
        log.warning("shared cache unreachable for the calendar (%s)", exc)
        return _rows(estate_id, year)
    if found is None:
        found = _rows(estate_id, year)
        try:
            cache.set(key, found, CACHE_TTL)
        except Exception as exc:  # noqa: BLE001
            log.warning("shared cache unreachable for the calendar (%s)", exc)
    if version is not None:  # a cache that keeps nothing names no content
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = (time.monotonic() + CACHE_TTL, found)
    return found


def for_estate(estate, around: dt.date | None = None) -> BusinessCalendar:
    """The calendar of an estate from its working hours and the dated exceptions within a
    year or so of ``around`` (from the shared cache; two queries when it is cold)."""
    around = around or dt.date.today()
    week, holidays, workdays = _cached_rows(estate.pk, around.year)
    week = dict(week) if week else dict(DEFAULT_WEEK)
    makeup = next((week[d] for d in sorted(week) if d < 5 and week[d]), DEFAULT_DAY)
    first, last = around - dt.timedelta(days=31), around + dt.timedelta(days=400)
    return BusinessCalendar(
        tz=estate.tz,
        week=week,
        holidays=frozenset(d for d in holidays if first <= d <= last),
        workdays=frozenset(d for d in workdays if first <= d <= last),
        makeup_hours=makeup,
    )
