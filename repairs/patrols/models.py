"""Service-quality patrols (小区巡查、服务质量督查): checklists per estate and area, rounds
planned for a staff member, and each item's finding (pass / fail, note, photo).

A failed item opens one rectification ticket (kind ``rectification``, the checklist's
category and its deadline); the one-to-one link from the finding to its ticket and the
unique (round, item) make a second one impossible."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate


class Area(models.TextChoices):
    CLEANING = "cleaning", _("cleaning")
    SECURITY = "security", _("security")
    GREENERY = "greenery", _("greenery")
    FACILITIES = "facilities", _("facilities and equipment")
    CONDUCT = "conduct", _("staff conduct")


class Checklist(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="checklists")
    name = models.CharField(_("name"), max_length=50)
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    category = models.ForeignKey(
        "repairs.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rectification category"),
        help_text=_("Its service level sets the rectification deadline."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("patrol checklist")
        verbose_name_plural = _("patrol checklists")
        ordering = ["estate", "area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="checklist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=200)
    sort = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("active"), default=True)

    ESTATE_PATH = "checklist__estate"

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "sort", "id"]

    def __str__(self) -> str:
        return self.text


class Round(models.Model):
    """One walk of a checklist by one staff member, planned for a moment."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="patrol_rounds")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="rounds")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patrol_rounds",
        verbose_name=_("inspector"),
    )
    inspector_phone_masked = models.CharField(max_length=16, editable=False)
    inspector_phone_enc = models.TextField(editable=False)
    planned_for = models.DateTimeField(_("planned for"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["-planned_for", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned", done_at__isnull=True)
                | Q(status="done", done_at__isnull=False),
                name="round_done_at",
            )
        ]
        indexes = [models.Index(fields=["estate", "planned_for"])]

    def __str__(self) -> str:
        return f"{self.checklist_id} {self.planned_for:%Y-%m-%d}"


class Finding(models.Model):
    """One item of a round, as found: passed, or failed with its rectification ticket."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="patrol_findings")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="findings")
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    location = models.CharField(_("where"), max_length=100, blank=True)
    photo = models.ImageField(_("photo"), upload_to="patrols/", blank=True)
    ticket = models.OneToOneField(
        "repairs.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_finding",
        verbose_name=_("rectification ticket"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["round", "item__sort", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="finding_one_per_item"),
            models.CheckConstraint(
                condition=Q(passed=True, ticket__isnull=True) | Q(passed=False),
                name="finding_ticket_only_when_failed",
            ),
        ]
        indexes = [models.Index(fields=["estate", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.item_id} {'✓' if self.passed else '✗'}"
