"""What an estate allows: working hours, noisy-work hours, the longest renovation, the deposit,
how often a renovating unit is patrolled, and its lists of work types and violation types."""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate

MONEY = {"max_digits": 12, "decimal_places": 2}


class RenovationPolicy(models.Model):
    """An estate's renovation rules (装修管理规定); made with the defaults on first use."""

    estate = models.OneToOneField(
        Estate, on_delete=models.CASCADE, related_name="renovation_policy"
    )
    work_from = models.TimeField(_("work allowed from"), default=dt.time(8, 0))
    work_until = models.TimeField(_("work allowed until"), default=dt.time(18, 0))
    noisy_from = models.TimeField(_("noisy work from"), default=dt.time(8, 30))
    noisy_until = models.TimeField(_("noisy work until"), default=dt.time(12, 0))
    max_days = models.PositiveIntegerField(_("longest renovation (days)"), default=90)
    inspect_every_days = models.PositiveIntegerField(
        _("patrol a renovating unit at least every (days)"), default=7
    )
    deposit = models.DecimalField(_("deposit (CNY)"), default=Decimal("2000.00"), **MONEY)
    management_fee = models.DecimalField(
        _("management charge (CNY)"), default=Decimal("0.00"), **MONEY
    )

    class Meta:
        verbose_name = _("renovation rules")
        verbose_name_plural = _("renovation rules")
        constraints = [
            models.CheckConstraint(condition=Q(work_until__gt=F("work_from")), name="reno_hours"),
            models.CheckConstraint(
                condition=Q(noisy_until__gt=F("noisy_from")), name="reno_noisy_hours"
            ),
            models.CheckConstraint(condition=Q(max_days__gte=1), name="reno_max_days_gte_1"),
            models.CheckConstraint(
                condition=Q(inspect_every_days__gte=1), name="reno_inspect_every_gte_1"
            ),
            models.CheckConstraint(condition=Q(deposit__gt=0), name="reno_deposit_gt_0"),
            models.CheckConstraint(
                condition=Q(management_fee__gte=0), name="reno_management_fee_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id}"


class WorkType(models.Model):
    """A kind of work an application may list; non-routine ones need a manager's review."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    routine = models.BooleanField(_("routine"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("work type")
        verbose_name_plural = _("work types")
        ordering = ["estate", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="reno_work_type_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ViolationType(models.Model):
    """A kind of violation and the days given to rectify it (the default deadline)."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    rectify_days = models.PositiveIntegerField(_("days to rectify"), default=3)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")
        ordering = ["estate", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="reno_violation_type_unique"),
            models.CheckConstraint(
                condition=Q(rectify_days__gte=1), name="reno_violation_days_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name
