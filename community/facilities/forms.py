"""Forms of the facilities pages. They only shape input; every rule is in services.py."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from community.facilities.models import Facility
from estate.validators import sane_date
from repairs.models import Category


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    kind = forms.ChoiceField(label=_("kind"), choices=Facility.Kind.choices)
    location = forms.CharField(label=_("location"), max_length=100, required=False)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, max_value=10_000)
    opens = forms.TimeField(label=_("opens"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("closes"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(
        label=_("slot length, minutes"), min_value=15, max_value=480, initial=60
    )
    cancel_hours = forms.IntegerField(
        label=_("cancellable until, hours before"), min_value=0, max_value=720, initial=2
    )
    rules = forms.CharField(
        label=_("rules"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = forms.FileField(label=_("photo"), required=False, help_text=_("JPEG or PNG, 5 MB"))
    bookable_online = forms.BooleanField(
        label=_("residents may book online"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class BookingForm(forms.Form):
    """A booking by staff, or by a resident (who adds the one-time code)."""

    date = forms.DateField(
        validators=[sane_date], label=_("date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    slot = forms.ChoiceField(label=_("slot"))
    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(
        label=_("mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    people = forms.IntegerField(label=_("people"), min_value=1, max_value=10_000, initial=1)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)

    def __init__(self, *args, facility: Facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (start.strftime("%H:%M"), f"{start:%H:%M}–{end:%H:%M}")
            for start, end in facility.slots()
        ]

    def clean_slot(self):
        return dt.time.fromisoformat(self.cleaned_data["slot"])


class PublicBookingForm(BookingForm):
    code = forms.CharField(
        label=_("one-time code"),
        max_length=6,
        required=False,
        help_text=_("Press “Send code” first; the code comes by SMS to this phone."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    # Honeypot: hidden from people (out of sight, out of the Tab order), filled in by bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class OutOfServiceForm(forms.Form):
    category = forms.ModelChoiceField(label=_("repair category"), queryset=Category.objects.none())
    description = forms.CharField(
        label=_("what is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label=_("contact"), max_length=50)
    contact_phone = forms.CharField(label=_("contact mobile"), max_length=20)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            estate=estate, kind="repair", active=True
        )
