"""Forms of the public resident pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.validators import sane_date
from repairs.models import RESIDENT_KINDS, Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to three files; each is checked as an image (and re-encoded) by the repairs service."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """What a resident fills in on the phone. Validation of substance (unit, category, phone,
    photos) is the repairs service's, so the front desk and this page refuse the same things."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=RESIDENT_KINDS,
        initial=Ticket.Kind.REPAIR,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("Category"))
    unit_number = forms.CharField(
        label=_("Unit number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1501", "autocomplete": "off"}),
        help_text=_("Building-entrance-room, e.g. 3-2-1501. Leave empty for a common area."),
    )
    common_area = forms.CharField(
        label=_("Or a common area"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. lobby of building 3, car park B1")}),
    )
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    description = forms.CharField(
        label=_("What happened?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = MultipleImageField(label=_("Photos (up to 3)"), required=False)
    preferred_visit_time = forms.DateTimeField(
        validators=[sane_date],
        label=_("Preferred visiting time (repairs inside your home)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        labels = dict(Ticket.Kind.choices)
        for category in categories:
            groups.setdefault(labels[category.kind], []).append((str(category.pk), category.label))
        self.fields["category"].choices = [("", _("Choose…"))] + list(groups.items())


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("The mobile number you reported with"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code we sent"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
