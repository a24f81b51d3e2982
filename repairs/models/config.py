"""How an estate's desk is set up: kinds and priorities, categories with their service
levels, departments, working hours and the calendar, reply templates."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from estate.models import Estate


class Kind(models.TextChoices):
    REPAIR = "repair", _("repair")
    COMPLAINT = "complaint", _("complaint")
    SUGGESTION = "suggestion", _("suggestion / inquiry")
    # Internal: a patrol's finding to put right (repairs/patrols). Never logged by residents or
    # the front desk, never in a resident-facing rate (those count repairs and complaints only).
    RECTIFICATION = "rectification", _("rectification (internal)")


# The kinds a resident or the front desk may log.
RESIDENT_KINDS = [(value, label) for value, label in Kind.choices if value != Kind.RECTIFICATION]


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


class Category(models.Model):
    """A kind of report with its service level (minutes to respond and to resolve, per
    priority). Emergencies always run around the clock; the others on business hours when
    ``business_hours`` is set."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="ticket_categories")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    business_hours = models.BooleanField(
        _("clock on business hours"),
        default=True,
        help_text=_("Off: the clock runs around the clock. Emergencies always do."),
    )
    response_minutes_normal = models.PositiveIntegerField(_("response (normal), minutes"))
    response_minutes_urgent = models.PositiveIntegerField(_("response (urgent), minutes"))
    response_minutes_emergency = models.PositiveIntegerField(_("response (emergency), minutes"))
    resolve_minutes_normal = models.PositiveIntegerField(_("resolution (normal), minutes"))
    resolve_minutes_urgent = models.PositiveIntegerField(_("resolution (urgent), minutes"))
    resolve_minutes_emergency = models.PositiveIntegerField(_("resolution (emergency), minutes"))
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["estate", "kind", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "kind", "code"], name="category_unique_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name if lang.startswith("zh") or not self.name_en else self.name_en

    def minutes(self, priority: str) -> tuple[int, int]:
        """(minutes to first response, minutes to resolution) for a priority."""
        return (
            getattr(self, f"response_minutes_{priority}"),
            getattr(self, f"resolve_minutes_{priority}"),
        )

    def runs_on_business_hours(self, priority: str) -> bool:
        return self.business_hours and priority != Priority.EMERGENCY


class Department(models.Model):
    """A team a ticket can be dispatched to (engineering, cleaning, security ...)."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="departments")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["estate", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="department_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """The service desk's hours on one weekday (0 = Monday), with a lunch break. An estate
    with no rows keeps the default: Monday to Friday 08:30-12:00 and 13:30-17:30."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday ... 6 = Sunday")
    )
    morning_start = models.TimeField(_("opens"))
    morning_end = models.TimeField(_("lunch break from"))
    afternoon_start = models.TimeField(_("lunch break until"), null=True, blank=True)
    afternoon_end = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["estate", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "weekday"], name="working_hours_unique_day"),
            models.CheckConstraint(
                condition=Q(morning_end__gt=models.F("morning_start")),
                name="working_hours_morning_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.morning_start}-{self.morning_end}"


class CalendarDay(models.Model):
    """A day that differs from the weekly pattern: a public holiday, or a weekend day made a
    working day (调休); or a manager's note that an imported date is an ordinary day."""

    class DayKind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        WORKDAY = "workday", _("makeup working day")
        NORMAL = "normal", _("ordinary day")

    class Source(models.TextChoices):
        CHINESE_CALENDAR = "chinese_calendar", _("chinese-calendar (official)")
        HOLIDAYS = "holidays", _("holidays package")
        MANUAL = "manual", _("entered by hand")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["estate", "date"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "date"], name="calendar_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"

    @property
    def display_name(self) -> str:
        """The name in the page's language (an imported holiday's name is translated)."""
        from repairs.holiday_names import holiday_label

        return holiday_label(self.name)


class CalendarYear(models.Model):
    """A year whose holidays were imported (or confirmed by hand) for an estate. A year with
    no row falls back to plain weekdays, and the calendar shows a warning."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="calendar_years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=CalendarDay.Source.choices)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Holidays estimated by rule; the official makeup days are not known yet."),
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="calendar_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.year}"


class ReplyTemplate(models.Model):
    """A standard phrase (快捷用语) staff insert into notes and replies. ``{number}``,
    ``{estate}``, ``{phone}`` and ``{resolve_due}`` are filled in from the ticket."""

    class Situation(models.TextChoices):
        GREETING = "greeting", _("greeting")
        ACCEPT = "accept", _("acceptance")
        DISPATCH = "dispatch", _("dispatch")
        HOLD = "hold", _("waiting for the resident")
        RESOLVE = "resolve", _("resolution")
        RETURN_VISIT = "return_visit", _("return visit")
        APOLOGY = "apology", _("apology")
        OTHER = "other", _("other")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="reply_templates")
    situation = models.CharField(_("situation"), max_length=16, choices=Situation.choices)
    title = models.CharField(_("title"), max_length=50)
    text = models.TextField(_("text"), max_length=1000)
    sort = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["estate", "situation", "sort", "id"]

    def __str__(self) -> str:
        return self.title
