"""Tickets, their history, photos, return visits and numbering."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estate import privacy
from estate.models import Estate, Unit, unique_pattern
from repairs.models.config import Category, Department, Kind, Priority


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    ON_HOLD = "on_hold", _("on hold")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS)
# Tickets whose deadlines the overdue sweep watches: open, or on hold (a small share of all).
RUNNING_STATUSES = (*OPEN_STATUSES, Status.ON_HOLD)


def overdue_candidates_q(now: dt.datetime) -> Q:
    """A superset of ``overdue_q`` that the sweep's partial indexes answer: running tickets
    past their resolution deadline, or past an unanswered response deadline (a ticket on
    hold is overdue only if a deadline passed before the hold began, so before ``now``)."""
    return Q(status__in=RUNNING_STATUSES) & (
        Q(resolve_due_at__lt=now) | Q(first_response_at__isnull=True, response_due_at__lt=now)
    )


def overdue_q(now: dt.datetime) -> Q:
    """Open tickets past a deadline. The clock stops while on hold, so a ticket on hold is
    overdue only if it already was when the hold began."""
    running = Q(status__in=OPEN_STATUSES) & (
        Q(first_response_at__isnull=True, response_due_at__lt=now) | Q(resolve_due_at__lt=now)
    )
    held = Q(status=Status.ON_HOLD) & (
        Q(first_response_at__isnull=True, response_due_at__lt=models.F("on_hold_since"))
        | Q(resolve_due_at__lt=models.F("on_hold_since"))
    )
    return running | held


class Ticket(models.Model):
    """A repair, complaint or suggestion, from its report to its return visit."""

    Kind = Kind
    Priority = Priority
    Status = Status

    class Channel(models.TextChoices):
        FRONT_DESK = "front_desk", _("front desk")
        PHONE = "phone", _("phone")
        WEB_FORM = "web_form", _("web form")
        WALK_IN = "walk_in", _("walk-in")
        OTHER = "other", _("other")

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("solved")
        NOT_SOLVED = "not_solved", _("not solved")

    class CancelReason(models.TextChoices):
        DUPLICATE = "duplicate", _("duplicate")
        INVALID = "invalid", _("invalid")

    # No plain index on estate or assignee: composite indexes below start with each (the lists,
    # the rates, a technician's queue), and 1,000,000 tickets pay every index on each write.
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    # Unique through pattern-ops indexes (Meta: estate.models.unique_pattern).
    number = models.CharField(_("number"), max_length=32)
    tracking_code = models.CharField(max_length=32, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    common_area = models.CharField(_("common area"), max_length=100, blank=True)
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    reporter_name = models.CharField(_("reporter"), max_length=50)
    reporter_phone_enc = models.TextField(editable=False)
    reporter_phone_masked = models.CharField(_("reporter phone"), max_length=16, editable=False)
    # Keyed hash of the phone: a resident's "my requests" finds tickets without a clear number.
    reporter_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    description = models.TextField(_("description"), max_length=2000)
    major_complaint = models.BooleanField(_("major complaint"), default=False)
    preferred_visit_time = models.DateTimeField(_("preferred visit time"), null=True, blank=True)
    business_hours = models.BooleanField(default=True, editable=False)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
        db_index=False,  # ticket_assignee_idx starts with it
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )

    reported_at = models.DateTimeField(_("reported at"))
    response_due_at = models.DateTimeField(_("response due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolution due"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(max_length=16, choices=CancelReason.choices, blank=True)
    on_hold_since = models.DateTimeField(null=True, blank=True)
    held_from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    return_visited_at = models.DateTimeField(_("return visit"), null=True, blank=True)
    return_visit_rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    service_charge = models.DecimalField(
        _("paid-service charge"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    charge_billed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A code saying why the work may not start yet (``quote_unconfirmed``: a paid service's
    # quote awaiting the resident), set and cleared by the app that asked; the transition table
    # refuses "start" while it is set, so the ticket page, the API and every service obey it.
    start_blocked = models.CharField(max_length=32, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the user is deleted and the foreign key emptied (estate/integrity.py).
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # Every column the rates read: a month's rates are an index-only scan.
            models.Index(
                fields=[
                    "estate",
                    "reported_at",
                    "kind",
                    "status",
                    "outcome",
                    "reopen_count",
                    "first_response_at",
                    "response_due_at",
                    "resolved_at",
                    "resolve_due_at",
                    "on_hold_since",
                    "return_visited_at",
                    "return_visit_rating",
                ],
                name="ticket_rates_idx",
            ),
            # INCLUDE (kind, status) on PostgreSQL (SQLite builds it without): the list filtered
            # by kind or status, page and count, read from the index alone.
            models.Index(
                fields=["estate", "-reported_at", "-id"],
                name="ticket_list_idx",
                include=["kind", "status"],
            ),
            # A company admin's list, every estate at once: newest first from the index, where
            # ticket_list_idx would leave every ticket to sort (0.5 s at 1M tickets).
            models.Index(fields=["-reported_at", "-id"], name="ticket_recent_idx"),
            models.Index(fields=["estate", "status", "-reported_at"], name="ticket_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["estate", "resolved_at"], name="ticket_resolved_idx"),
            models.Index(fields=["estate", "reporter_phone_index"], name="ticket_phone_idx"),
            # The overdue sweep reads only running tickets (overdue_candidates_q), never the
            # closed millions: one partial index per deadline, combined by a bitmap OR.
            models.Index(
                fields=["resolve_due_at"],
                name="ticket_sweep_resolve_idx",
                condition=Q(status__in=RUNNING_STATUSES),
            ),
            models.Index(
                fields=["response_due_at"],
                name="ticket_sweep_response_idx",
                condition=Q(status__in=RUNNING_STATUSES, first_response_at__isnull=True),
            ),
            # ... and unflags among the few flagged ones.
            models.Index(fields=["id"], name="ticket_flagged_idx", condition=Q(is_overdue=True)),
        ]
        constraints = [
            unique_pattern("number", "ticket_number_unique"),
            unique_pattern("tracking_code", "ticket_tracking_code_unique"),
            models.CheckConstraint(
                condition=Q(return_visit_rating__isnull=True)
                | Q(return_visit_rating__gte=1, return_visit_rating__lte=5),
                name="ticket_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(service_charge__isnull=True) | Q(service_charge__gte=0),
                name="ticket_charge_gte_0",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="ticket_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reporter_phone(self) -> str:
        """The full number. Showing it must go with privacy.log_unmasked()."""
        return privacy.decrypt(self.reporter_phone_enc)

    def set_reporter_phone(self, phone: str) -> None:
        self.reporter_phone_enc = privacy.encrypt(phone)
        self.reporter_phone_masked = privacy.mask_phone(phone)
        self.reporter_phone_index = privacy.blind_index(phone)

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Past a deadline that still runs: the same rule as ``overdue_q``."""
        now = now or timezone.now()
        if self.status == Status.ON_HOLD:
            now = self.on_hold_since
        elif self.status not in OPEN_STATUSES:
            return False
        return (self.first_response_at is None and self.response_due_at < now) or (
            self.resolve_due_at < now
        )

    @property
    def location(self) -> str:
        return self.unit.number if self.unit_id else self.common_area


class TicketEvent(models.Model):
    """One entry of a ticket's history: who (null = the resident or the system), when, what."""

    class EventKind(models.TextChoices):
        CREATED = "created", _("created")
        ACCEPTED = "accepted", _("accepted")
        DISPATCHED = "dispatched", _("dispatched")
        STARTED = "started", _("started")
        HELD = "held", _("put on hold")
        RESUMED = "resumed", _("resumed")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")
        CANCELLED = "cancelled", _("cancelled")
        RESTORED = "restored", _("restored after cancelling")
        RETURN_VISIT = "return_visit", _("return visit")
        RATED = "rated", _("rated by the resident")
        OVERDUE = "overdue", _("overdue")
        CHARGE = "charge", _("paid-service charge")
        PHOTO = "photo", _("photo added")

    # The (ticket, at) index below serves a ticket's history: no plain index on ticket.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="history", db_index=False
    )
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the user is deleted and the foreign key emptied (estate/integrity.py).
    by_name = models.CharField(max_length=150, blank=True, editable=False)
    at = models.DateTimeField()
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        verbose_name = _("ticket history entry")
        verbose_name_plural = _("ticket history")
        ordering = ["ticket", "at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance: "TicketPhoto", filename: str) -> str:
    return f"tickets/{instance.estate_id}/{timezone.now():%Y/%m}/{filename}"


class TicketPhoto(models.Model):
    """A photo of the problem, re-encoded on upload so no EXIF (location) survives."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket photo")
        verbose_name_plural = _("ticket photos")
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return self.image.name


class ReturnVisitSampleRun(models.Model):
    """The monthly quality sample of one estate (one row per estate and month, so a second
    run finds it and does nothing)."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("month"), max_length=7)
    population = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("return-visit sample")
        verbose_name_plural = _("return-visit samples")
        ordering = ["estate", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="sample_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.period}"


class ReturnVisitSample(models.Model):
    """A ticket picked for a quality return visit: the work list."""

    run = models.ForeignKey(ReturnVisitSampleRun, on_delete=models.CASCADE, related_name="items")
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="samples")
    visit = models.ForeignKey(
        "ReturnVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sampled ticket")
        verbose_name_plural = _("sampled tickets")
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "ticket"], name="sample_unique_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.ticket_id}"


class ReturnVisit(models.Model):
    """One attempt to reach the resident after resolution (回访), or the resident's own
    rating. Only attempts that reached the resident count for the rates."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="return_visits")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the user is deleted and the foreign key emptied (estate/integrity.py).
    by_name = models.CharField(max_length=150, blank=True, editable=False)
    by_resident = models.BooleanField(_("by the resident"), default=False)
    reached = models.BooleanField(_("reached the resident"))
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["ticket", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="return_visit_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(reached=True) | Q(rating__isnull=True, solved__isnull=True),
                name="return_visit_unreached_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.at:%Y-%m-%d}"


def pending_photo_path(instance: "PendingPhoto", filename: str) -> str:
    return f"pending/{instance.estate_id}/{timezone.now():%Y/%m/%d}/{filename}"


class PendingPhoto(models.Model):
    """A photo a resident attached to a report that came back with an error: kept, already
    re-encoded, under the form's short-lived token, so the next submission carries it without
    picking it again. Rows past ``expires_at`` are removed by a periodic task with their files."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, db_index=True)
    image = models.ImageField(_("photo"), upload_to=pending_photo_path)
    original_name = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("photo awaiting a report")
        verbose_name_plural = _("photos awaiting a report")
        ordering = ["token", "id"]

    def __str__(self) -> str:
        return self.image.name


class TicketTally(models.Model):
    """How many tickets each estate has of each kind and status, kept by PostgreSQL itself:
    triggers on ``repairs_ticket`` (migration 0015, fired for every insert, update, delete and
    COPY, the seed's included) add one row per statement and key with the change (+n, −n).
    Rows are only ever added, so writers never wait on each other for a tally; the count of a
    key is the sum of its rows, and ``repairs.tallies.compact`` folds each key's rows
    into one now and then. The ticket list's count reads it when the list is a plain "these
    estates, this kind, these statuses" (``selectors.ticket_list_page``): a sum over a few
    rows, not a scan of every ticket. PostgreSQL only; on SQLite the table stays empty and the
    list counts tickets."""

    # The estate's id, not a foreign key: a tally is derived from the tickets, not data of the
    # estate (estate.replicate copies an estate's tables, and the triggers tally the copied
    # tickets themselves); a row may also outlive its estate's tickets being deleted.
    estate_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["estate_id", "kind", "status"], include=["n"], name="ticket_tally_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.kind} {self.status} {self.n:+d}"
