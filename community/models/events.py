"""Community events (社区文化活动) and their sign-ups, wait list, attendance and feedback."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate import privacy
from estate.models import Estate, Unit


class Event(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    poster = models.ImageField(_("poster"), upload_to="community/posters/", blank=True)
    # A facility of the estate, booked through the facilities' booking service for the
    # event's times (``facility_bookings``); ``place`` is its label, or free text without one.
    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("facility"),
    )
    facility_bookings = models.ManyToManyField(
        "facilities.Booking", blank=True, related_name="+", editable=False
    )
    place = models.CharField(_("place"), max_length=100)
    place_capacity = models.PositiveIntegerField(_("capacity of the place"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    signup_opens_at = models.DateTimeField(_("sign-up opens"))
    signup_closes_at = models.DateTimeField(_("sign-up closes"))
    fee = models.DecimalField(_("fee per person"), max_digits=12, decimal_places=2, default=0)
    # Sum of ``people`` over the confirmed sign-ups; written only under the event's row lock.
    confirmed_places = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["estate", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                name="event_signup_window_ordered",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(confirmed_places__gte=0) & Q(confirmed_places__lte=F("capacity")),
                name="event_confirmed_within_capacity",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="event_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed_places)


class SignUp(models.Model):
    ESTATE_PATH = "event__estate"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the wait list")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        WEB = "web", _("resident page")
        DESK = "desk", _("front desk")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signups")
    name = models.CharField(_("name"), max_length=50)
    phone_enc = models.TextField(editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, editable=False)
    phone_index = models.CharField(max_length=64, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("unit")
    )
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    attended_at = models.DateTimeField(_("checked in at"), null=True, blank=True, editable=False)
    # Unguessable (128 bits): the link for feedback after the event.
    token = models.CharField(max_length=32, unique=True, editable=False)
    feedback_rating = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    feedback_comment = models.TextField(blank=True, max_length=1000, editable=False)
    feedback_at = models.DateTimeField(null=True, blank=True, editable=False)
    bill = models.ForeignKey(
        "fees.Bill", on_delete=models.PROTECT, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=1) & Q(people__lte=10), name="signup_people_1_to_10"
            ),
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True)
                | (Q(feedback_rating__gte=1) & Q(feedback_rating__lte=5)),
                name="signup_feedback_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(attended_at__isnull=True) | Q(status="confirmed"),
                name="signup_attended_only_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.people})"

    @property
    def phone(self) -> str:
        """The clear number: show it only to a role that may, and log the view."""
        return privacy.decrypt(self.phone_enc)

    def set_phone(self, phone: str) -> None:
        self.phone_enc = privacy.encrypt(phone)
        self.phone_masked = privacy.mask_phone(phone)
        self.phone_index = privacy.blind_index(phone)
