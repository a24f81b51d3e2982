"""Resident files (业主档案): residents and the households that tie them to units.

Phones and ID numbers are held encrypted (Fernet) with a keyed hash for exact look-up and a
masked form for display, so a database dump alone does not reveal them (estate/privacy.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from estate import privacy
from estate.models import Estate, Unit


class Resident(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="residents")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OWNER)
    phone_enc = models.TextField(editable=False)
    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, editable=False)
    phone_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True, editable=False)
    move_in_date = models.DateField(_("move-in date"), null=True, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["estate", "name"]
        indexes = [models.Index(fields=["estate", "name"])]

    def __str__(self) -> str:
        return f"{self.name} {self.phone_masked}"

    @property
    def phone(self) -> str:
        """The full number. Reading it for display must go with privacy.log_unmasked()."""
        return privacy.decrypt(self.phone_enc)

    @property
    def id_number(self) -> str:
        return privacy.decrypt(self.id_number_enc)

    def set_phone(self, phone: str) -> None:
        self.phone_enc = privacy.encrypt(phone)
        self.phone_index = privacy.blind_index(phone)
        self.phone_masked = privacy.mask_phone(phone)
        self.phone_last4 = phone[-4:]

    def set_id_number(self, value: str) -> None:
        self.id_number_enc = privacy.encrypt(value)
        self.id_number_index = privacy.blind_index(value)
        self.id_number_masked = privacy.mask_id_number(value)


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
