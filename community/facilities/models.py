"""Venues and facilities (活动场所与设施): a facility with its hours and rules, and bookings of
its slots.

A slot is booked at most once: a partial unique constraint on (facility, date, slot start)
over confirmed bookings, so two residents pressing "book" at the same moment cannot both win,
whatever the code above does. A facility marked out of service points at the repair ticket
opened for it, and takes no booking until that ticket is resolved."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate import privacy
from estate.models import Estate, Unit

# A ticket in one of these statuses no longer keeps its facility out of service.
TICKET_DONE = ("resolved", "closed", "cancelled")


class Facility(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_ROOM = "community_room", _("community room")
        GYM = "gym", _("gym")
        COURT = "court", _("sports court")
        HALL = "hall", _("hall")
        OTHER = "other", _("other")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    location = models.CharField(_("location"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    slot_minutes = models.PositiveIntegerField(
        _("slot length, minutes"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    cancel_hours = models.PositiveIntegerField(
        _("cancellable until, hours before"),
        default=2,
        validators=[MaxValueValidator(720)],
    )
    rules = models.TextField(_("rules"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="facilities/", blank=True)
    bookable_online = models.BooleanField(_("residents may book online"), default=True)
    active = models.BooleanField(_("active"), default=True)
    out_of_service_ticket = models.ForeignKey(
        "repairs.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("repair ticket"),
    )
    out_of_service_since = models.DateTimeField(_("out of service since"), null=True, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["estate", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="facility_unique_name"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="facility_hours"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15, slot_minutes__lte=480),
                name="facility_slot_minutes",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="facility_capacity"),
        ]

    def __str__(self) -> str:
        return self.name

    def slots(self) -> list[tuple[dt.time, dt.time]]:
        """The day's slots, from opening to closing; a last slot that would run past closing
        time is left out."""
        out = []
        day = dt.date(2000, 1, 3)
        start = dt.datetime.combine(day, self.opens)
        close = dt.datetime.combine(day, self.closes)
        step = dt.timedelta(minutes=self.slot_minutes)
        while start + step <= close:
            out.append((start.time(), (start + step).time()))
            start += step
        return out


class Booking(models.Model):
    """One slot of a facility on one day, booked by a resident (with a one-time code) or by
    staff for someone. Cancelling keeps the row, so the slot can be booked again."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online (resident)")
        STAFF = "staff", _("staff")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="facility_bookings")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="bookings")
    date = models.DateField(_("date"))
    slot_start = models.TimeField(_("from"))
    slot_end = models.TimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=50)
    phone_enc = models.TextField(editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, editable=False)
    phone_index = models.CharField(max_length=64, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    people = models.PositiveIntegerField(_("people"), default=1)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("booked at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_note = models.CharField(_("cancellation note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["date", "slot_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date", "slot_start"],
                condition=Q(status="confirmed"),
                name="booking_one_per_slot",
            ),
            models.CheckConstraint(condition=Q(slot_end__gt=F("slot_start")), name="booking_slot"),
            models.CheckConstraint(condition=Q(people__gte=1), name="booking_people"),
        ]
        indexes = [models.Index(fields=["estate", "date"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.date} {self.slot_start}"

    def set_phone(self, phone: str) -> None:
        self.phone_enc = privacy.encrypt(phone)
        self.phone_masked = privacy.mask_phone(phone)
        self.phone_index = privacy.blind_index(phone)
