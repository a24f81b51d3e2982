"""Forms of the move-in pages: only shapes; every rule is in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.validators import sane_date
from residents.movein.models import SlotTemplate


class BookingForm(forms.Form):
    unit = forms.CharField(
        label=_("Unit"), max_length=32, help_text=_("building-entrance-room, e.g. 3-2-1501")
    )
    date = forms.DateField(
        validators=[sane_date], label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    slot = forms.ChoiceField(label=_("Time slot"))
    owner_name = forms.CharField(label=_("Owner's name"), max_length=50)
    owner_phone = forms.CharField(
        label=_("Owner's mobile"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (s.pk, str(s))
            for s in SlotTemplate.objects.filter(estate=estate, active=True).order_by("start")
        ]


class DefectForm(forms.Form):
    description = forms.CharField(
        label=_("Defect"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    item = forms.TypedChoiceField(label=_("Where"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(i.pk, i.label) for i in items]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
