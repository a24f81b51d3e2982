"""Move-in handover records.

The booking counts are guarded by the database, like fees' ledger:

- a slot of a day (``BookedSlot``) never holds more bookings than its capacity, and a day
  (``BookedDay``) never more than the estate's daily capacity (CheckConstraint ``booked <=
  capacity`` on both counter rows);
- ``booked`` on both rows equals the number of live (not cancelled) handovers in that slot and
  that day (kept by services.bookings under ``select_for_update`` of the day row, then the slot
  row; checked by tests/movein/invariants.py);
- a unit has at most one live handover (UniqueConstraint on ``unit`` where not cancelled).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate, Unit
from residents.models import Resident


class BookingSettings(models.Model):
    """The estate's handover calendar: how many handovers a day may take in all."""

    estate = models.OneToOneField(Estate, on_delete=models.CASCADE, related_name="+")
    daily_capacity = models.PositiveSmallIntegerField(_("daily capacity"), default=20)

    class Meta:
        verbose_name = _("handover calendar")
        verbose_name_plural = _("handover calendars")
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_capacity__gte=1), name="movein_daily_capacity_gte_1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate_id}: {self.daily_capacity}"


class SlotTemplate(models.Model):
    """A time slot offered every day (e.g. 09:00-10:00, 4 handovers)."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=4)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("handover slot")
        verbose_name_plural = _("handover slots")
        ordering = ["estate", "start"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "start"], name="movein_slot_unique_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="movein_slot_end_gt"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="movein_slot_capacity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class BookedDay(models.Model):
    """The counter row of one day: locked first by every booking of that day."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estate", "date"], name="movein_day_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="movein_day_booked_lte_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.booked}/{self.capacity}"


class BookedSlot(models.Model):
    """The counter row of one slot on one day: locked after its day."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    day = models.ForeignKey(BookedDay, on_delete=models.PROTECT, related_name="slots")
    template = models.ForeignKey(SlotTemplate, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "template"], name="movein_slot_day_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="movein_slot_booked_lte_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.date} {self.template} {self.booked}/{self.capacity}"


class ChecklistItemTemplate(models.Model):
    """One item of the estate's handover checklist; copied into each handover when booked."""

    class Kind(models.TextChoices):
        CHECK = "check", _("check")
        FEES = "fees", _("fees settled")
        KEYS = "keys", _("keys handed (count)")
        METER = "meter", _("meter reading")
        ROOM = "room", _("room inspected")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=50)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    sort = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["estate", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "code"], name="movein_item_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class Handover(models.Model):
    """One handover of a unit to its new owner (交房 / 收房)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="handovers")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="handovers")
    slot = models.ForeignKey(BookedSlot, on_delete=models.PROTECT, related_name="handovers")
    booked_date = models.DateField(_("booked date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )
    booked_at = models.DateTimeField()
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # The estate's local date of completed_at, so "on schedule" is one column comparison.
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The day-before SMS reminder (tasks.booking_reminders_send), sent once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(null=True, blank=True)
    rating_token = models.CharField(max_length=32, unique=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-booked_date", "-id"]
        indexes = [
            models.Index(fields=["estate", "completed_at"], name="movein_cohort_idx"),
            models.Index(fields=["estate", "booked_date"], name="movein_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=~Q(status="cancelled"),
                name="movein_one_live_handover_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="movein_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="completed", completed_at__isnull=False, completed_on__isnull=False
                )
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="movein_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.booked_date}"


class HandoverItem(models.Model):
    """One checklist item of one handover, done or not, with what it records."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=32)
    label = models.CharField(max_length=50)
    kind = models.CharField(max_length=8, choices=ChecklistItemTemplate.Kind.choices)
    sort = models.PositiveSmallIntegerField(default=100)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    key_count = models.PositiveSmallIntegerField(null=True, blank=True)
    reading = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # For the fees item: the outstanding balance read from fees/ when it was checked.
    balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["handover", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "code"], name="movein_handover_item_code"),
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_at__isnull=False), name="movein_item_done_at"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Defect(models.Model):
    """A defect found in the inspection: the after-sales ticket it became (repairs/)."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="defects")
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        HandoverItem, on_delete=models.PROTECT, null=True, blank=True, related_name="defects"
    )
    ticket = models.OneToOneField(
        "repairs.Ticket", on_delete=models.PROTECT, related_name="handover_defect"
    )
    description = models.CharField(_("description"), max_length=500)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("handover defect")
        verbose_name_plural = _("handover defects")
        ordering = ["handover", "id"]

    def __str__(self) -> str:
        return self.description[:40]
