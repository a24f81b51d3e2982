"""An estate's finance set-up: the company named on its receipts, the copies (联次) a receipt
is printed in, and the day its books open (no payment is dated before it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Estate

DEFAULT_RECEIPT_COPIES = "存根联,收据联,记账联"


class FinanceSettings(models.Model):
    """One row per estate, optional: without it the defaults apply (the ``COMPANY_NAME``
    setting, the three usual copies, books open since ever)."""

    estate = models.OneToOneField(Estate, on_delete=models.CASCADE, related_name="finance_settings")
    company_name = models.CharField(
        _("company name"),
        max_length=100,
        blank=True,
        help_text=_("Printed at the top of receipts; empty: the COMPANY_NAME setting."),
    )
    receipt_copies = models.CharField(
        _("receipt copies"),
        max_length=100,
        default=DEFAULT_RECEIPT_COPIES,
        help_text=_("The copies (联次) an A4 receipt is printed in, comma-separated, in order."),
    )
    books_open_on = models.DateField(
        _("books open on"),
        null=True,
        blank=True,
        help_text=_("No payment can be dated before this day (the estate's local date)."),
    )

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")

    def __str__(self) -> str:
        return str(self.estate)

    @property
    def copies(self) -> list[str]:
        return [c.strip() for c in self.receipt_copies.replace("，", ",").split(",") if c.strip()]

    @property
    def company(self) -> str:
        return self.company_name or getattr(settings, "COMPANY_NAME", "")

    @classmethod
    def of(cls, estate: Estate) -> "FinanceSettings":
        """The estate's row, or an unsaved one with the defaults."""
        found = cls.objects.filter(estate_id=estate.pk).first()
        return found or cls(estate=estate)
