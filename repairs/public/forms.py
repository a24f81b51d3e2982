"""Forms of the public resident pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.validators import sane_date
from repairs.models import RESIDENT_KINDS, Ticket
from repairs.services.intake import category_mismatch_message

# What the browser checks before sending (the server checks again, estate/validators.py):
# 11 digits starting with 1, optionally after +86 / 0086, spaces or dashes between digits.
PHONE_PATTERN = r"(?:\+86|0086)?[ \-]?1[3-9](?:[ \-]?[0-9]){9}"


class CategorySelect(forms.Select):
    """The category list with each option's kind (``data-kind``), so the page's script
    (repairs/static/repairs/report.js) offers only the categories of the chosen kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        kind = self.kinds.get(str(value))
        if kind:
            option["attrs"]["data-kind"] = kind
        return option


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
    category = forms.ChoiceField(label=_("Category"), widget=CategorySelect)
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
            attrs={
                "type": "tel",
                "inputmode": "tel",
                "autocomplete": "tel",
                "pattern": PHONE_PATTERN,
                "title": _("Enter an 11-digit mainland mobile number, e.g. 13812345678."),
            }
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
        # Grouped by the kind's value, labelled once per group (a lazy label is slow to hash).
        groups: dict[str, list] = {}
        labels = dict(Ticket.Kind.choices)
        self.categories = {str(category.pk): category for category in categories}
        for category in categories:
            groups.setdefault(category.kind, []).append((str(category.pk), category.label))
        self.fields["category"].choices = [("", _("Choose…"))] + [
            (labels[kind], options) for kind, options in groups.items()
        ]
        self.fields["category"].widget.kinds = {
            pk: category.kind for pk, category in self.categories.items()
        }

    def clean(self):
        """A category of another kind is refused here too (the service checks again), with
        the categories that fit the chosen kind."""
        data = super().clean()
        kind, category = data.get("kind"), self.categories.get(data.get("category") or "")
        if kind and category is not None and category.kind != kind:
            fitting = [c.label for c in self.categories.values() if c.kind == kind]
            self.add_error("category", category_mismatch_message(kind, fitting))
        return data


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
