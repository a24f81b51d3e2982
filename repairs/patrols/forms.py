"""Forms of the patrol pages; every rule is in services.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from estate.validators import sane_date
from repairs.models import Category, Ticket
from repairs.patrols.models import Area, Checklist


class ChecklistForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    area = forms.ChoiceField(label=_("area"), choices=Area.choices)
    category = forms.ModelChoiceField(
        label=_("rectification category"), queryset=Category.objects.none()
    )
    items = forms.CharField(
        label=_("items, one a line"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            estate=estate, kind=Ticket.Kind.RECTIFICATION, active=True
        )


class PlanForm(forms.Form):
    checklist = forms.ModelChoiceField(label=_("checklist"), queryset=Checklist.objects.none())
    inspector = forms.ModelChoiceField(
        label=_("inspector"), queryset=get_user_model().objects.none()
    )
    inspector_phone = forms.CharField(label=_("inspector's mobile"), max_length=20)
    planned_for = forms.DateTimeField(
        validators=[sane_date],
        label=_("planned for"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = Checklist.objects.filter(estate=estate, active=True)
        self.fields["inspector"].queryset = (
            get_user_model()
            .objects.filter(memberships__estate=estate, is_active=True)
            .order_by("username")
        )


class FindingForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("result"),
        choices=[("1", _("pass")), ("0", _("fail"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    location = forms.CharField(label=_("where"), max_length=100, required=False)
    photo = forms.FileField(label=_("photo"), required=False)
