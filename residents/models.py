"""Resident files (业主档案): residents, the households that tie them to units, their vehicles
and pets, the history of every change, and spreadsheet imports.

Phones and ID numbers are held encrypted (Fernet) with a keyed hash for exact look-up and a
masked form for display, so a database dump alone does not reveal them (estate/privacy.py).
The change history and import reports hold masked values only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate import privacy
from estate.models import Estate, Unit


class Resident(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")

    class IdKind(models.TextChoices):
        NATIONAL_ID = "national_id", _("national ID card")
        PASSPORT = "passport", _("passport")
        HK_MACAO = "hk_macao", _("Hong Kong/Macao permit")
        TAIWAN = "taiwan", _("Taiwan permit")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="residents")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OWNER)
    phone_enc = models.TextField(editable=False)
    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, editable=False)
    phone_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    id_kind = models.CharField(
        _("document kind"), max_length=16, choices=IdKind.choices, default=IdKind.NATIONAL_ID
    )
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True, editable=False)
    move_in_date = models.DateField(_("move-in date"), null=True, blank=True)
    move_out_date = models.DateField(_("move-out date"), null=True, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=100, blank=True)
    emergency_phone_enc = models.TextField(blank=True, editable=False)
    emergency_phone_masked = models.CharField(
        _("emergency phone"), max_length=16, blank=True, editable=False
    )
    parking_spaces = models.CharField(_("parking spaces"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # A duplicate merged into another file stays (its history and access log point at it) but
    # leaves every list.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["estate", "name"]
        indexes = [models.Index(fields=["estate", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(move_out_date__isnull=True)
                | models.Q(move_in_date__isnull=True)
                | models.Q(move_out_date__gte=models.F("move_in_date")),
                name="resident_move_out_after_move_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.phone_masked}"

    @property
    def phone(self) -> str:
        """The full number. Reading it for display must go with privacy.log_unmasked()."""
        return privacy.decrypt(self.phone_enc)

    @property
    def id_number(self) -> str:
        return privacy.decrypt(self.id_number_enc)

    @property
    def emergency_phone(self) -> str:
        return privacy.decrypt(self.emergency_phone_enc)

    def set_phone(self, phone: str) -> None:
        self.phone_enc = privacy.encrypt(phone)
        self.phone_index = privacy.blind_index(phone)
        self.phone_masked = privacy.mask_phone(phone)
        self.phone_last4 = phone[-4:]

    def set_id_number(self, value: str) -> None:
        self.id_number_enc = privacy.encrypt(value)
        self.id_number_index = privacy.blind_index(value)
        self.id_number_masked = privacy.mask_id_number(value)

    def set_emergency_phone(self, value: str) -> None:
        self.emergency_phone_enc = privacy.encrypt(value)
        self.emergency_phone_masked = privacy.mask_phone(value)


class Occupancy(models.Model):
    """A resident's tie to a unit (one resident may hold several units); one primary contact
    per unit among the current ones."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="occupancies")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="occupancies")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["unit", "resident"], name="occupancy_unique"),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(is_primary=True, ended_on__isnull=True),
                name="occupancy_one_primary_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.resident}"


class Vehicle(models.Model):
    """A resident's vehicle (车辆) and the parking space it uses, if any."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("licence plate"), max_length=12)
    parking_space = models.CharField(_("parking space"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "plate"], name="vehicle_unique_plate")
        ]

    def __str__(self) -> str:
        return self.plate


class Pet(models.Model):
    """A pet kept in the household (宠物登记): what it is and its name."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="pets")
    description = models.CharField(_("pet"), max_length=100)

    class Meta:
        verbose_name = _("pet")
        verbose_name_plural = _("pets")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class ResidentChange(models.Model):
    """One change to a file: who, when, which field, and the masked values before and after.
    Never a clear phone or ID number (those fields are recorded by their masked forms)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        MERGED = "merged", _("merged")
        IMPORTED = "imported", _("imported")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    field = models.CharField(max_length=32, blank=True)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("file change")
        verbose_name_plural = _("file changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.kind} {self.field}"

    @property
    def field_label(self) -> str:
        """The changed field's name in the page's language."""
        from estate.models import field_label

        return field_label(Resident, self.field) if self.field else ""


class ImportJob(models.Model):
    """A spreadsheet of residents being checked (dry run) or imported by a Huey task. The rows
    wait here encrypted (they carry phones and ID numbers) and are erased once imported; the
    report holds row numbers and reasons only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_enc = models.TextField(blank=True, editable=False)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("resident import")
        verbose_name_plural = _("resident imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CHECKING, self.Status.IMPORTING)
