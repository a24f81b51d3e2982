"""Special paid services (特约服务): a catalogue (company defaults, overridden per estate by a
service of the same code) and each order, linked one-to-one to the repair ticket that carries
the work.

A service has a fixed price, or is quoted on site; a quoted order may not start before the
resident has confirmed the quote (recorded on the order: when, by whom, how)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate


class Service(models.Model):
    class Pricing(models.TextChoices):
        FIXED = "fixed", _("fixed price")
        QUOTED = "quoted", _("quoted on site")

    # Null: a company default, offered in every estate that has no service of its code.
    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="paid_services"
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    pricing = models.CharField(_("pricing"), max_length=8, choices=Pricing.choices)
    price = models.DecimalField(
        _("price (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    category_code = models.SlugField(
        _("repair category code"),
        max_length=32,
        help_text=_("The estate's repair category the order's ticket takes (its deadlines)."),
    )
    department_code = models.SlugField(_("department code"), max_length=32, blank=True)
    online = models.BooleanField(_("residents may order online"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("paid service")
        verbose_name_plural = _("paid services")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "code"],
                condition=Q(estate__isnull=False),
                name="paid_service_unique_code",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(estate__isnull=True),
                name="paid_service_default_unique_code",
            ),
            models.CheckConstraint(
                condition=Q(pricing="fixed", price__gt=0) | Q(pricing="quoted", price__isnull=True),
                name="paid_service_price_matches_pricing",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """One ordered service: its ticket, the price (fixed, or the quote once given) and the
    resident's confirmation of a quote."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="paid_orders")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orders")
    ticket = models.OneToOneField(
        "repairs.Ticket", on_delete=models.PROTECT, related_name="paid_order"
    )
    price = models.DecimalField(
        _("price (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    quoted_at = models.DateTimeField(_("quoted at"), null=True, blank=True)
    quote_confirmed_at = models.DateTimeField(_("quote confirmed at"), null=True, blank=True)
    quote_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quote_confirmation = models.CharField(
        _("how the resident confirmed"), max_length=200, blank=True
    )
    created_at = models.DateTimeField()

    ESTATE_PATH = "estate"

    class Meta:
        verbose_name = _("paid-service order")
        verbose_name_plural = _("paid-service orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quote_confirmed_at__isnull=True) | Q(price__gt=0),
                name="paid_order_confirmed_has_price",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.ticket_id}"
