"""Local time of an estate, in one place: a moment's local date, today, a day's or a month's
bounds as aware datetimes. Stored times are UTC; every page shows the estate's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.timezone import template_localtime as _django_template_localtime


def zone(tz_or_estate=None) -> ZoneInfo:
    """The zone of an estate (or a zone, or its name); the default zone for None."""
    if tz_or_estate is None:
        return timezone.get_default_timezone()
    tz = getattr(tz_or_estate, "tz", tz_or_estate)
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def local(moment: dt.datetime | None, tz_or_estate=None) -> dt.datetime | None:
    """``moment`` in the estate's zone (None stays None). A moment with no local time (the
    last hours of year 9999 east of UTC, the first of year 1 west of it: only a row written
    around the validators can hold one) comes back unchanged rather than raising, so one bad
    row never takes a page or a list down."""
    if moment is None:
        return None
    try:
        return timezone.localtime(moment, zone(tz_or_estate))
    except OverflowError:
        return moment


def template_localtime(value, use_tz=None):
    """Django's conversion of a template variable to the current zone, degrading like
    :func:`local` instead of raising OverflowError (installed by ``EstateConfig.ready``)."""
    try:
        return _django_template_localtime(value, use_tz)
    except OverflowError:
        return value


def install_template_localtime() -> None:
    """Every template variable goes through Django's
    ``template_localtime``; make the template engine use the degrading one above."""
    import django.template.base

    django.template.base.template_localtime = template_localtime


def naive_local(moment: dt.datetime | None, tz_or_estate=None) -> dt.datetime | None:
    """``moment`` as a naive local time to the second, for spreadsheets (they have no zones)."""
    moment = local(moment, tz_or_estate)
    return moment.replace(tzinfo=None, microsecond=0) if moment is not None else None


def local_date(moment: dt.datetime | None, tz_or_estate=None) -> dt.date | None:
    """The estate's calendar date of ``moment``."""
    moment = local(moment, tz_or_estate)
    return moment.date() if moment is not None else None


def today(tz_or_estate=None, *, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the estate's zone."""
    return local_date(now or timezone.now(), tz_or_estate)


def day_start(day: dt.date, tz_or_estate=None) -> dt.datetime:
    """Local midnight at the start of ``day``, aware."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz_or_estate))


def aware(value: dt.datetime | dt.date, tz_or_estate=None) -> dt.datetime:
    """A date as its local midnight; a naive datetime as local time; an aware one unchanged."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=zone(tz_or_estate))
    return day_start(value, tz_or_estate)


def month_bounds(year: int, month: int, tz_or_estate=None) -> tuple[dt.datetime, dt.datetime]:
    """[first day 00:00, first day of next month 00:00) in the estate's zone."""
    tz = zone(tz_or_estate)
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end
