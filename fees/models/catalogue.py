"""What an estate charges (收费项目): fee items and their dated prices, who pays per-space
items, meter readings, and the record of each month's bill generation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate, Unit

MONEY = {"max_digits": 12, "decimal_places": 2}


class FeeItem(models.Model):
    """A charge an estate levies (收费项目): the property fee, parking, water, a deposit..."""

    class Basis(models.TextChoices):
        PER_AREA = "per_area", _("per m² of floor area per month")
        PER_SPACE = "per_space", _("per parking space per month")
        FIXED = "fixed", _("fixed per unit per month")
        METERED = "metered", _("metered (usage × price)")
        ONE_OFF = "one_off", _("one-off")

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="fee_items")
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[RegexValidator(r"^[A-Za-z0-9_]+$", _("Letters, digits and _ only."))],
        help_text=_("Short, unique in the estate; part of every bill number, e.g. PM."),
    )
    name = models.CharField(_("name"), max_length=50)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    cycle = models.CharField(
        _("billing cycle"), max_length=16, choices=Cycle.choices, default=Cycle.MONTHLY
    )
    cycle_start_month = models.PositiveSmallIntegerField(
        _("first month of the cycle"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Quarterly and yearly items are billed in the months this one starts."),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"), default=15, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    due_month_offset = models.SmallIntegerField(
        _("due month"),
        default=0,
        validators=[MinValueValidator(-12), MaxValueValidator(12)],
        help_text=_("0: the month after the billing period; -1: its last month; 1: a month later."),
    )
    unit_label = models.CharField(_("unit of usage"), max_length=16, blank=True)
    late_fee_daily_rate = models.DecimalField(
        _("late fee per day"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("A fraction of the overdue amount per day, e.g. 0.0005 for 0.05%."),
    )
    late_fee_cap_rate = models.DecimalField(
        _("late fee cap"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("The late fee never exceeds this fraction of the overdue amount, e.g. 0.3."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["estate", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="fee_item_unique_code"),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="fee_item_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(cycle_start_month__gte=1, cycle_start_month__lte=12),
                name="fee_item_cycle_start_1_12",
            ),
            models.CheckConstraint(
                condition=Q(late_fee_daily_rate__isnull=True) | Q(late_fee_daily_rate__gte=0),
                name="fee_item_late_fee_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(late_fee_cap_rate__isnull=True) | Q(late_fee_cap_rate__gte=0),
                name="fee_item_late_cap_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OneOffKind(models.TextChoices):
    """One-off charges; each becomes a fee item of the estate with this code."""

    PAID_SERVICE = "paid_service", _("special paid service")
    RENOVATION_DEPOSIT = "renovation_deposit", _("renovation deposit")
    OTHER = "other", _("other one-off charge")


class FeePrice(models.Model):
    """A price of a fee item from ``valid_from`` until ``valid_to`` (exclusive; open-ended when
    empty). Bills copy the price they were made with, so a new price never rewrites a bill."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee price")
        verbose_name_plural = _("fee prices")
        ordering = ["fee_item", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["fee_item", "valid_from"], name="fee_price_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="fee_price_gte_0"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="fee_price_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fee_item_id} {self.price} from {self.valid_from}"


class FeeAssignment(models.Model):
    """A unit's share of a per-space item (e.g. 2 parking spaces), from a date."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="fee_assignments")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="assignments")
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=1)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee assignment")
        verbose_name_plural = _("fee assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fee_item", "starts_on"], name="fee_assignment_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fee_assignment_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="fee_assignment_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} × {self.quantity} {self.fee_item_id}"


class MeterReading(models.Model):
    """A meter read for a unit at the end of a period (抄表); usage = reading - previous."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="meter_readings")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="readings")
    period = models.CharField(_("period"), max_length=7)
    previous = models.DecimalField(_("previous reading"), **MONEY)
    reading = models.DecimalField(_("reading"), **MONEY)
    read_at = models.DateTimeField(_("read at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["unit", "fee_item", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fee_item", "period"], name="meter_reading_unique"
            ),
            models.CheckConstraint(condition=Q(previous__gte=0), name="meter_previous_gte_0"),
            models.CheckConstraint(
                condition=Q(reading__gte=F("previous")), name="meter_reading_gte_previous"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.fee_item_id} {self.period}: {self.reading}"

    @property
    def usage(self):
        return self.reading - self.previous


class BillingRun(models.Model):
    """One estate's bill generation for one period. Its row is locked while a run works, so two
    runs of the same period take turns and the second finds nothing left to create."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    bills_created = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="billing_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period}"
