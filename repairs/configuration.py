"""Writes that set up an estate's service desk: the default categories, departments and reply
templates, service levels, working hours, and the holiday calendar (imported from
``chinese-calendar`` or ``holidays``, then corrected by a manager).

Same rules as ``services.py``: keyword-only, one transaction each, DomainError on bad input."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate
from estate.validators import clean_text
from repairs import defaults
from repairs import workflow as wf
from repairs.calendar import calendar_changed
from repairs.models import (
    CalendarDay,
    CalendarYear,
    Category,
    Department,
    Kind,
    Priority,
    ReplyTemplate,
    WorkingHours,
)

MAX_MINUTES = 365 * 24 * 60


def _configure(by, estate: Estate) -> None:
    if by is not None:
        wf.staff(by, estate, "repairs.configure")


@transaction.atomic
def defaults_install(*, estate: Estate) -> None:
    """Give an estate the company's default categories, departments and reply templates.
    Idempotent: what the estate already has (by code) is left as it is."""
    Category.objects.bulk_create(
        [
            Category(
                estate=estate,
                code=code,
                kind=kind,
                name=name,
                name_en=name_en,
                business_hours=business,
                sort=i,
                **{
                    f"{what}_minutes_{p}": minutes[j]
                    for what, minutes in (("response", respond), ("resolve", resolve))
                    for j, p in enumerate(Priority.values)
                },
            )
            for i, (code, kind, name, name_en, business, respond, resolve) in enumerate(
                defaults.CATEGORIES
            )
        ],
        ignore_conflicts=True,
    )
    Department.objects.bulk_create(
        [Department(estate=estate, code=code, name=name) for code, name in defaults.DEPARTMENTS],
        ignore_conflicts=True,
    )
    if not ReplyTemplate.objects.filter(estate=estate).exists():
        ReplyTemplate.objects.bulk_create(
            [
                ReplyTemplate(estate=estate, situation=s, title=t, text=x, sort=i)
                for i, (s, t, x) in enumerate(defaults.REPLY_TEMPLATES)
            ]
        )


def _minutes(values: dict, field: str) -> int:
    value = values.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        raise DomainError("invalid", _("Enter a number of minutes from 1 to 525600."), field=field)
    return value


@transaction.atomic
def category_save(
    *,
    estate: Estate,
    by,
    code: str,
    kind: str,
    name: str,
    minutes: dict[str, int],
    name_en: str = "",
    business_hours: bool = True,
    active: bool = True,
    category: Category | None = None,
) -> Category:
    """Create a category, or update ``category``: its name and service level. ``minutes``
    holds ``response_minutes_<priority>`` and ``resolve_minutes_<priority>`` for every
    priority; a resolution may not come before the response."""
    _configure(by, estate)
    if category is not None and category.estate_id != estate.pk:
        raise DomainError("not_found", _("No such category."), status=404)
    kind = wf.choice(kind, Kind, "kind")
    code = clean_text(code, field="code", max_length=32, required=True)
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise DomainError("invalid", _("Letters, digits, - and _ only."), field="code")
    values = {}
    for p in Priority.values:
        respond = _minutes(minutes, f"response_minutes_{p}")
        resolve = _minutes(minutes, f"resolve_minutes_{p}")
        if resolve < respond:
            raise DomainError(
                "invalid",
                _("The resolution time cannot be shorter than the response time."),
                field=f"resolve_minutes_{p}",
            )
        values |= {f"response_minutes_{p}": respond, f"resolve_minutes_{p}": resolve}
    clash = Category.objects.filter(estate=estate, kind=kind, code=code)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise DomainError("conflict", _("This code is already used."), field="code")
    category = category or Category(estate=estate)
    category.kind, category.code = kind, code
    category.name = clean_text(name, field="name", max_length=50, required=True)
    category.name_en = clean_text(name_en, field="name_en", max_length=50)
    category.business_hours, category.active = bool(business_hours), bool(active)
    for key, value in values.items():
        setattr(category, key, value)
    category.save()
    return category


@transaction.atomic
def working_hours_set(
    *,
    estate: Estate,
    by,
    weekday: int,
    morning: tuple[dt.time, dt.time] | None,
    afternoon: tuple[dt.time, dt.time] | None = None,
) -> WorkingHours | None:
    """The desk's hours on one weekday (``morning=None`` closes the day). The first change
    copies the default week, so the other days keep their hours."""
    _configure(by, estate)
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise DomainError("invalid", _("A weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
    for field, span in (("morning", morning), ("afternoon", afternoon)):
        if span is not None and not span[0] < span[1]:
            raise DomainError("invalid", _("The end must be after the start."), field=field)
    if morning and afternoon and afternoon[0] < morning[1]:
        raise DomainError(
            "invalid", _("The afternoon must start after the morning ends."), field="afternoon"
        )
    if not WorkingHours.objects.filter(estate=estate).exists():
        from repairs.calendar import DEFAULT_WEEK

        WorkingHours.objects.bulk_create(
            [
                WorkingHours(
                    estate=estate,
                    weekday=d,
                    morning_start=hours[0][0],
                    morning_end=hours[0][1],
                    afternoon_start=hours[1][0] if len(hours) > 1 else None,
                    afternoon_end=hours[1][1] if len(hours) > 1 else None,
                )
                for d, hours in DEFAULT_WEEK.items()
            ]
        )
    WorkingHours.objects.filter(estate=estate, weekday=weekday).delete()
    calendar_changed(estate.pk)
    if morning is None:
        return None
    return WorkingHours.objects.create(
        estate=estate,
        weekday=weekday,
        morning_start=morning[0],
        morning_end=morning[1],
        afternoon_start=afternoon[0] if afternoon else None,
        afternoon_end=afternoon[1] if afternoon else None,
    )


def _official_days(year: int) -> tuple[str, bool, list[tuple[dt.date, str, str]]]:
    """(source, provisional, [(date, kind, name)]) from the best source that covers the year:
    ``chinese-calendar`` (the State Council's schedule) first, then ``holidays``."""
    import chinese_calendar
    import holidays

    days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366)]
    days = [d for d in days if d.year == year]
    try:
        rows = []
        for day in days:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            if is_holiday and name:
                rows.append((day, CalendarDay.DayKind.HOLIDAY, str(name)))
            elif not is_holiday and day.weekday() >= 5:
                rows.append((day, CalendarDay.DayKind.WORKDAY, str(name or "")))
        return CalendarDay.Source.CHINESE_CALENDAR, False, rows
    except NotImplementedError:
        pass
    table = holidays.China(years=year, language="en_US")  # named as shown: holiday_names
    rows = [(d, CalendarDay.DayKind.HOLIDAY, str(n)) for d, n in sorted(table.items())]
    makeup = sorted(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    rows += [(d, CalendarDay.DayKind.WORKDAY, "") for d in makeup]
    if not rows:
        raise DomainError(
            "invalid", _("No source knows the holidays of %(y)d yet.") % {"y": year}, field="year"
        )
    return CalendarDay.Source.HOLIDAYS, not makeup, rows


@transaction.atomic
def calendar_year_import(*, estate: Estate, year: int, by=None) -> CalendarYear:
    """Import China's holidays and makeup working days of a year into the estate's calendar.
    Days a manager entered by hand are kept; re-importing replaces the imported ones."""
    _configure(by, estate)
    if not isinstance(year, int) or not 2004 <= year <= 2100:
        raise DomainError("invalid", _("Enter a year from 2004 to 2100."), field="year")
    source, provisional, rows = _official_days(year)
    manual = set(
        CalendarDay.objects.filter(
            estate=estate, date__year=year, source=CalendarDay.Source.MANUAL
        ).values_list("date", flat=True)
    )
    CalendarDay.objects.filter(estate=estate, date__year=year).exclude(
        source=CalendarDay.Source.MANUAL
    ).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(estate=estate, date=d, kind=k, name=n[:64], source=source)
            for d, k, n in rows
            if d not in manual
        ]
    )
    calendar_changed(estate.pk)  # bulk_create sends no signal
    record, _created = CalendarYear.objects.update_or_create(
        estate=estate,
        year=year,
        defaults={"source": source, "provisional": provisional, "imported_at": timezone.now()},
    )
    return record


@transaction.atomic
def calendar_day_set(
    *, estate: Estate, by, date: dt.date, kind: str, name: str = ""
) -> CalendarDay:
    """A manager's correction: make a date a holiday, a makeup working day, or (``normal``)
    an ordinary day of the weekly pattern. Kept through later imports."""
    _configure(by, estate)
    kind = wf.choice(kind, CalendarDay.DayKind, "kind")
    name = clean_text(name, field="name", max_length=64)
    day, _created = CalendarDay.objects.update_or_create(
        estate=estate,
        date=date,
        defaults={"kind": kind, "name": name, "source": CalendarDay.Source.MANUAL},
    )
    return day


@transaction.atomic
def reply_template_save(
    *,
    estate: Estate,
    by,
    situation: str,
    title: str,
    text: str,
    sort: int = 100,
    active: bool = True,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Create a reply template (快捷用语), or update ``template``."""
    _configure(by, estate)
    if template is not None and template.estate_id != estate.pk:
        raise DomainError("not_found", _("No such template."), status=404)
    template = template or ReplyTemplate(estate=estate)
    template.situation = wf.choice(situation, ReplyTemplate.Situation, "situation")
    template.title = clean_text(title, field="title", max_length=50, required=True)
    template.text = clean_text(text, field="text", max_length=1000, required=True)
    template.sort = max(0, min(int(sort), 32767))
    template.active = bool(active)
    template.save()
    return template


@transaction.atomic
def reply_template_delete(*, template: ReplyTemplate, by) -> None:
    """Remove a reply template (text already inserted into notes stays)."""
    _configure(by, template.estate)
    template.delete()
