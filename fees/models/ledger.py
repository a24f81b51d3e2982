"""The money: bills, payments, reversals, the allocations that tie them, each unit's credit,
deposit refunds, reminders and document counters. The invariants are in fees/models/__init__.py."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate, Unit, unique_pattern
from fees.models.catalogue import MONEY, FeeItem


class Bill(models.Model):
    """What a unit owes for one fee item and period (账单), or a one-off charge.

    Periodic bills are unique per (unit, fee item, period); one-off bills per (fee item,
    source_ref); a voided bill's correction is a new bill that points back to it."""

    # The plain foreign-key indexes are left out where a composite index below starts with the
    # same column: a month's generation writes 150,000 rows, and every index is paid per row.
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="bills", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bills", db_index=False)
    fee_item = models.ForeignKey(
        FeeItem, on_delete=models.PROTECT, related_name="bills", db_index=False
    )
    number = models.CharField(_("bill number"), max_length=120)  # unique: Meta
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM it starts in"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("exclusive"))
    quantity = models.DecimalField(_("quantity"), **MONEY)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    amount_paid = models.DecimalField(_("amount paid"), default=0, **MONEY)
    due_date = models.DateField(_("due date"))
    issued_at = models.DateTimeField(_("issued at"))
    fully_paid_at = models.DateTimeField(_("fully paid at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    voided_by_name = models.CharField(max_length=150, blank=True, editable=False)
    reissue_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissue",
        verbose_name=_("reissue of"),
    )
    revision = models.PositiveSmallIntegerField(default=0)
    source_ref = models.CharField(
        _("source"), max_length=64, blank=True, help_text=_("What a one-off bill is for.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["due_date", "id"]
        constraints = [
            unique_pattern("number", "bill_number_unique"),
            models.UniqueConstraint(
                fields=["unit", "fee_item", "period"],
                condition=Q(reissue_of__isnull=True, source_ref=""),
                name="bill_unique_per_period",
            ),
            models.UniqueConstraint(
                fields=["estate", "fee_item", "source_ref"],
                condition=Q(reissue_of__isnull=True) & ~Q(source_ref=""),
                name="bill_unique_per_source",
            ),
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="bill_due_gt_0"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="bill_paid_gte_0"),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("amount_due")), name="bill_paid_lte_due"
            ),
            models.CheckConstraint(
                condition=(
                    Q(fully_paid_at__isnull=True, amount_paid__lt=F("amount_due"))
                    | Q(fully_paid_at__isnull=False, amount_paid=F("amount_due"))
                ),
                name="bill_fully_paid_iff_paid",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | Q(amount_paid=0),
                name="bill_voided_unpaid",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="bill_voided_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="bill_period_range"
            ),
        ]
        indexes = [
            models.Index(fields=["estate", "due_date"], name="bill_estate_due"),
            models.Index(fields=["estate", "issued_at"], name="bill_estate_issued"),
            models.Index(fields=["unit", "due_date"], name="bill_unit_due"),
            models.Index(fields=["fee_item", "period"], name="bill_item_period"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self):
        return self.amount_due - self.amount_paid

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Payment(models.Model):
    """Money received from a unit (收款), recorded by staff. Never edited: see Reversal."""

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CARD = "card", _("bank card")

    # No plain index on estate or unit: payment_estate_received and payment_unit_received start
    # with them (as for Bill).
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    number = models.CharField(_("receipt number"), max_length=40)  # unique: Meta
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    payer = models.CharField(_("payer"), max_length=50, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    idempotency_key = models.CharField(max_length=64)
    # Emptied if the user is deleted; created_by_name keeps who it was (estate/integrity.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            unique_pattern("number", "payment_number_unique"),
            models.UniqueConstraint(
                fields=["estate", "idempotency_key"], name="payment_unique_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="payment_key_required"),
        ]
        indexes = [
            models.Index(fields=["estate", "received_at"], name="payment_estate_received"),
            models.Index(fields=["unit", "received_at"], name="payment_unit_received"),
        ]

    def __str__(self) -> str:
        return self.number


class Reversal(models.Model):
    """The correction of a posted payment (冲正): a new entry with a reason, by finance."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    number = models.CharField(_("number"), max_length=40, unique=True)
    reason = models.CharField(_("reason"), max_length=200)
    # Emptied if the user is deleted; created_by_name keeps who it was (estate/integrity.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment reversal")
        verbose_name_plural = _("payment reversals")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reversal_reason_required")
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Part of a payment applied to a bill. A reversal adds the negative of each allocation."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    # allocation_bill_at starts with bill: no plain index on it.
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, related_name="allocations", db_index=False
    )
    reversal = models.ForeignKey(
        Reversal, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    at = models.DateTimeField(help_text=_("when the money reached the bill"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(reversal__isnull=True, amount__gt=0)
                | Q(reversal__isnull=False, amount__lt=0),
                name="allocation_sign",
            )
        ]
        indexes = [models.Index(fields=["bill", "at"], name="allocation_bill_at")]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.bill_id}: {self.amount}"


class UnitAccount(models.Model):
    """A unit's credit balance (预存款): over-payments waiting for the next bills. Its row is
    also the lock every money movement of the unit takes first."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="fee_account")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    credit = models.DecimalField(_("credit balance"), default=0, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit account")
        verbose_name_plural = _("unit accounts")
        constraints = [
            models.CheckConstraint(condition=Q(credit__gte=0), name="unit_account_credit_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.credit}"


class DepositRefund(models.Model):
    """The refund of a paid deposit (e.g. 装修押金), minus any penalty withheld."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(_("refunded"), **MONEY)
    penalty = models.DecimalField(_("withheld"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Emptied if the user is deleted; created_by_name keeps who it was (estate/integrity.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deposit refund")
        verbose_name_plural = _("deposit refunds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, penalty__gte=0), name="deposit_refund_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.amount}"


class Reminder(models.Model):
    """A reminder to pay (催缴记录): when, how, by whom, and what the resident promised."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        SMS = "sms", _("text message")
        VISIT = "visit", _("home visit")
        NOTICE = "notice", _("written notice")
        WECHAT = "wechat", _("WeChat")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fee_reminders")
    at = models.DateTimeField(_("when"))
    channel = models.CharField(_("how"), max_length=16, choices=Channel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    promised_date = models.DateField(_("promised payment date"), null=True, blank=True)
    # Emptied if the user is deleted; created_by_name keeps who it was (estate/integrity.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "at"], name="reminder_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.at:%Y-%m-%d} {self.channel}"
