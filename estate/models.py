"""Estates (小区), buildings (楼栋), units (房屋), staff roles, API tokens, KPI snapshots."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from exc


def unique_pattern(field: str, name: str) -> models.UniqueConstraint:
    """A document number or token unique through one ``varchar_pattern_ops`` index (PostgreSQL;
    elsewhere a plain unique index), not ``unique=True``: that gives two indexes on
    PostgreSQL, the unique one in the database's collation and a pattern-ops copy for LIKE,
    and both are written for every ticket, bill and payment. Numbers are looked up by equality
    and prefix, never ordered or compared by range, which this one index serves (and it sorts
    bytes, not collated text: about half the cost to build and to write)."""
    return models.UniqueConstraint(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class Estate(models.Model):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,16}$", _("2-16 capital letters or digits."))],
        help_text=_("Short and unique, used in URLs, e.g. HY01."),
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    service_phone = models.CharField(_("service phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["code"]
        permissions = [("view_all_estates", "Company-wide: sees and manages every estate")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Building(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="buildings")
    number = models.CharField(_("building number"), max_length=16)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="building_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(n)s") % {"n": self.number}


class Unit(models.Model):
    class Status(models.TextChoices):
        UNSOLD = "unsold", _("unsold")
        VACANT = "vacant", _("vacant")
        OCCUPIED = "occupied", _("occupied")
        RENOVATING = "renovating", _("renovating")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="units")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    number = models.CharField(
        _("unit number"),
        max_length=32,
        validators=[RegexValidator(r"^[0-9A-Za-z]+(-[0-9A-Za-z]+)*$", _("Like 3-2-1501."))],
        help_text=_("building-entrance-room, e.g. 3-2-1501"),
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OCCUPIED
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["estate", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="unit_unique_number"),
            models.CheckConstraint(condition=models.Q(floor_area__gte=0), name="unit_area_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("front desk")
    TECHNICIAN = "technician", _("technician")
    MANAGER = "manager", _("manager")
    FINANCE = "finance", _("finance")
    ADMIN = "admin", _("estate admin")


class Membership(models.Model):
    """A staff member's role in one estate. A company-wide admin needs none (see scoping)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "estate"], name="membership_one_role_per_estate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.estate.code} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AccessLog(models.Model):
    """Every view of an unmasked personal value (phone, ID number): who, when, which record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True, editable=False)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=64)
    path = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.object_type}#{self.object_id}.{self.field}"
        )

    @property
    def field_label(self) -> str:
        """The field's name in the page's language (its code when the model no longer has it)."""
        from django.apps import apps

        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.field
        return field_label(model, self.field)


def field_label(model, name: str) -> str:
    """A model field's verbose name (``phone`` also finds ``phone_masked``), else ``name``."""
    for candidate in (name, f"{name}_masked"):
        try:
            return str(model._meta.get_field(candidate).verbose_name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a name that is not a field
            continue
    return name


class KpiSnapshot(models.Model):
    """One metric of one estate for one period, as last computed."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="kpi_snapshots")
    period = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    numerator = models.DecimalField(max_digits=18, decimal_places=2)
    denominator = models.DecimalField(max_digits=18, decimal_places=2)
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(fields=["estate", "period", "key"], name="kpi_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period} {self.key} = {self.rate}"


class KpiMonth(models.Model):
    """The stored rates of one estate for one month as a whole: when they were computed, whether
    the month is closed (frozen: late data no longer changes it) and a recompute waiting."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        FROZEN = "frozen", _("frozen")
        REOPENED = "reopened", _("reopened")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="kpi_months")
    period = models.CharField(max_length=7)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    computed_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    recompute_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("KPI month")
        verbose_name_plural = _("KPI months")
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="kpi_month_unique")
        ]
        indexes = [models.Index(fields=["state", "period"], name="kpi_month_state")]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period} {self.state}"


class KpiMember(models.Model):
    """One record a month's stored snapshot counted: its source (``repairs.ticket``...), id,
    one bit per (metric, part) of that source's cohort (``estate.kpi.Cohort``) and the money it
    counted. Replaced whole, in the snapshot's transaction, at every recompute."""

    month = models.ForeignKey(KpiMonth, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    flags = models.BigIntegerField()
    amount_num = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    amount_den = models.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("KPI member")
        verbose_name_plural = _("KPI members")
        indexes = [
            models.Index(fields=["month", "source", "object_id"], name="kpi_member_month_src")
        ]

    def __str__(self) -> str:
        return f"{self.month_id} {self.source}#{self.object_id} {self.flags:b}"


class KpiMonthLog(models.Model):
    """Who froze, unfroze or recomputed a month, when and why."""

    class Action(models.TextChoices):
        FROZEN = "frozen", _("frozen")
        UNFROZEN = "unfrozen", _("unfrozen")
        RECOMPUTED = "recomputed", _("recomputed")

    month = models.ForeignKey(KpiMonth, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=12, choices=Action.choices)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("KPI month log entry")
        verbose_name_plural = _("KPI month log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.month} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notice for one staff member (escalations, reminders)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=255, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class TaskRun(models.Model):
    """One run of a periodic task: when, where, and how it ended. The health page reads the
    latest of each; a run whose process died is marked so when a consumer starts."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("completed")
        FAILED = "failed", _("failed")
        DIED = "died", _("died (process ended)")

    name = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    host = models.CharField(max_length=100, blank=True)
    pid = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        indexes = [models.Index(fields=["name", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Sequence(models.Model):
    """The last number given for one kind of document of one estate (tickets ``BX-2610``,
    receipts ``SJ2026``...): read and bumped only through estate.numbering.sequence_next."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=32)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="sequence_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.name}: {self.value}"


class KpiTarget(models.Model):
    """The target of one rate: a company default (no estate) or an estate's own, which
    overrides the default. Kept with who set it and when; a manager sets an estate's, a
    company admin the defaults (estate.dashboard.services.kpi_target_set)."""

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_targets"
    )
    key = models.CharField(_("rate"), max_length=64)
    target = models.DecimalField(
        _("target"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("A rate between 0 and 1 (0.95 = 95%)."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_by_name = models.CharField(max_length=150, blank=True)
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rate target")
        verbose_name_plural = _("rate targets")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "key"],
                condition=models.Q(estate__isnull=False),
                name="kpi_target_one_per_estate",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(estate__isnull=True),
                name="kpi_target_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=0, target__lte=1), name="kpi_target_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id or '*'} {self.key} ≥ {self.target}"

    @property
    def pct(self) -> str:
        """0.95 → "95.00%"."""
        return f"{(self.target * 100).quantize(self.target.__class__('0.01'))}%"


class Bulletin(models.Model):
    """The monthly bulletin (物业简报) of one estate (or of the company: no estate) for one
    month: a draft the manager edits (``summary``), then issued: the PDF is stored and every
    download serves these very bytes."""

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="bulletins"
    )
    period = models.CharField(max_length=7)
    summary = models.TextField(_("manager's summary"), blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "period"],
                condition=models.Q(estate__isnull=False),
                name="bulletin_one_per_estate_month",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(estate__isnull=True),
                name="bulletin_one_company_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id or 'company'} {self.period}"
