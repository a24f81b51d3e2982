"""Forms of the paid-service pages; every rule is in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from repairs.paidservices.models import Service


class ServiceForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=50)
    description = forms.CharField(
        label=_("description"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pricing = forms.ChoiceField(label=_("pricing"), choices=Service.Pricing.choices)
    price = forms.DecimalField(
        label=_("price (yuan)"), required=False, max_digits=12, decimal_places=2
    )
    category_code = forms.SlugField(label=_("repair category code"), max_length=32)
    department_code = forms.SlugField(label=_("department code"), max_length=32, required=False)
    online = forms.BooleanField(label=_("residents may order online"), required=False, initial=True)


class OrderForm(forms.Form):
    service = forms.ChoiceField(label=_("service"))
    unit_number = forms.CharField(label=_("unit"), max_length=32, help_text=_("e.g. 3-2-1501"))
    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(
        label=_("mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    description = forms.CharField(
        label=_("details"),
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Honeypot on the public page: hidden from people (out of sight, out of the Tab order).
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—")] + [
            (
                str(s.pk),
                f"{s.name} · {s.price} 元" if s.price else f"{s.name} · {_('quoted on site')}",
            )
            for s in services
        ]


class QuoteForm(forms.Form):
    amount = forms.DecimalField(label=_("quoted price (yuan)"), max_digits=12, decimal_places=2)


class ConfirmForm(forms.Form):
    how = forms.CharField(
        label=_("how the resident confirmed"),
        max_length=200,
        help_text=_("e.g. by phone at 14:20, or signed on site"),
    )


class ResolveForm(forms.Form):
    """Resolving the order's ticket asks for the completion note, as the ticket page does."""

    note = forms.CharField(
        label=_("Completion note"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("What was done, e.g. replaced the valve")}),
    )
