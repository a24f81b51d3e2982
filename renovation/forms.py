"""Forms of the renovation pages. They check shape; the services judge substance (the unit,
the phone, the work types, the drawings, every step), so a page and the API refuse the same
things. ``add_domain_error`` (from repairs.forms) puts a refusal next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.validators import sane_date
from renovation.models import Violation, ViolationType, WorkType
from renovation.services import ACCEPTANCE_ITEMS
from repairs.forms import MultipleFileInput


class FilesField(forms.FileField):
    """Several files; each is checked (PDF or image, size) by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicationForm(forms.Form):
    unit = forms.CharField(label=_("Unit number"), max_length=32, help_text=_("e.g. 3-2-1501"))
    owner_name = forms.CharField(
        label=_("Owner"),
        max_length=50,
        required=False,
        help_text=_("Taken from the resident files when left empty."),
    )
    contractor = forms.CharField(label=_("Contractor"), max_length=100)
    contractor_person = forms.CharField(label=_("Person in charge"), max_length=50)
    contractor_phone = forms.CharField(label=_("Contractor's phone"), max_length=32)
    workers = forms.IntegerField(label=_("Number of workers"), min_value=1, max_value=200)
    work_types = forms.MultipleChoiceField(
        label=_("Planned works"), widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(validators=[sane_date], label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(validators=[sane_date], label=_("End date"), widget=DateInput)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    drawings = FilesField(
        label=_("Drawings"), required=False, help_text=_("PDF or images, at most 10 MB each.")
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        types = WorkType.objects.filter(estate=estate)
        self.fields["work_types"].choices = [
            (t.code, t.name if t.routine else f"{t.name} ({_('non-routine')})") for t in types
        ]


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=16)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


def violation_type_choices(estate) -> list[tuple[str, str]]:
    return [("", "—")] + [(t.code, t.name) for t in ViolationType.objects.filter(estate=estate)]


class InspectionForm(forms.Form):
    notes = forms.CharField(
        label=_("What was seen"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.ImageField(label=_("Photo"), required=False)
    violation_type = forms.ChoiceField(label=_("Violation found"), required=False)
    violation_description = forms.CharField(
        label=_("Violation details"), max_length=1000, required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["violation_type"].choices = violation_type_choices(estate)


class ViolationForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (Violation.Source.INSPECTION, Violation.Source.INSPECTION.label),
            (Violation.Source.RESIDENT_REPORT, Violation.Source.RESIDENT_REPORT.label),
        ],
    )
    type = forms.ChoiceField(label=_("Type"))
    description = forms.CharField(label=_("Details"), max_length=1000)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = violation_type_choices(estate)


class AcceptanceForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), max_length=1000, required=False)
    violation_type = forms.ChoiceField(label=_("Violation found"), required=False)
    violation_description = forms.CharField(
        label=_("Violation details"), max_length=1000, required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in ACCEPTANCE_ITEMS.items():
            self.fields[f"item_{item}"] = forms.BooleanField(label=label, required=False)
        self.fields["violation_type"].choices = violation_type_choices(estate)

    def checklist(self) -> dict:
        return {item: self.cleaned_data.get(f"item_{item}", False) for item in ACCEPTANCE_ITEMS}


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Violation.Outcome.choices)
    evidence = forms.CharField(label=_("Evidence"), max_length=1000, required=False)
    photo = forms.ImageField(label=_("Photo"), required=False)
    penalty = forms.CharField(label=_("Deposit withheld (CNY)"), max_length=20, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ViolationFilterForm(forms.Form):
    found_from = forms.DateField(
        validators=[sane_date], label=_("Found from"), required=False, widget=DateInput
    )
    found_to = forms.DateField(
        validators=[sane_date],
        label=_("Found before"),
        required=False,
        widget=DateInput,
        help_text=_("exclusive"),
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", "—"), *Violation.Source.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", "—"),
            ("open", _("open")),
            ("overdue", _("overdue")),
            ("closed", _("closed")),
        ],
    )


class WorkerForm(forms.Form):
    """A worker of the contractor, for a pass: the name and the ID document's last 4."""

    name = forms.CharField(label=_("Worker's name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID document, last 4"),
        max_length=18,
        help_text=_("Only the last 4 characters are kept."),
    )
