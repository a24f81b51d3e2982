"""Forms of the repairs staff pages.

The forms check shape (choices, lengths, dates); substance (the unit, the phone, the category of
the kind, the photos, every transition) is the services' to judge, so a page and the API refuse
the same things. ``add_domain_error`` puts a service's refusal next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.errors import DomainError
from estate.validators import sane_date
from repairs.models import RESIDENT_KINDS, CalendarDay, Category, Priority, ReplyTemplate, Ticket

# The channel's own words: the model's bare "phone" is shared with other apps' catalogues,
# where it means a mobile number (手机号), not a phone call (来电).
CHANNEL_LABELS = {
    Ticket.Channel.FRONT_DESK: _("at the front desk"),
    Ticket.Channel.PHONE: _("phone call"),
    Ticket.Channel.WEB_FORM: _("resident's web form"),
    Ticket.Channel.WALK_IN: _("walk-in"),
    Ticket.Channel.OTHER: _("other"),
}
DESK_CHANNELS = [(v, label) for v, label in CHANNEL_LABELS.items() if v != Ticket.Channel.WEB_FORM]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def add_domain_error(form: forms.Form, exc: DomainError, fields: dict | None = None) -> None:
    """Show a service's refusal beside the form field it names (``fields`` maps the service's
    name to the form's), or above the form when the form has no such field."""
    name = (fields or {}).get(exc.field, exc.field)
    if name not in form.fields:
        name = exc.field if exc.field in form.fields else None
    form.add_error(name, exc.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three files; each is checked as an image (and re-encoded) by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def category_choices(categories, kind: str | None) -> list[tuple[str, str]]:
    return [("", _("Choose…"))] + [
        (str(c.pk), c.label) for c in categories if kind is None or c.kind == kind
    ]


class DeskForm(forms.Form):
    """The front desk's one page to log a call (报事登记)."""

    estate = forms.CharField(widget=forms.HiddenInput)
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.CharField(
        label=_("Unit number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1501", "autocomplete": "off"}),
    )
    common_area = forms.CharField(
        label=_("Or a common area"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. lobby of building 3")}),
    )
    reporter_name = forms.CharField(label=_("Reporter"), max_length=50)
    reporter_phone = forms.CharField(
        label=_("Reporter phone"),
        required=False,
        max_length=24,
        help_text=_("A mobile number, or a landline with its area code (0571-88886666)."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=RESIDENT_KINDS,
        initial=Ticket.Kind.REPAIR,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("Category"))
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=DESK_CHANNELS, initial="phone")
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = PhotosField(label=_("Photos (up to 3)"), required=False)
    major_complaint = forms.BooleanField(label=_("Major complaint"), required=False)
    preferred_visit_time = forms.DateTimeField(
        validators=[sane_date],
        label=_("Preferred visiting time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        kind = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        kind = kind if kind in Ticket.Kind.values else Ticket.Kind.REPAIR
        self.fields["category"].choices = category_choices(self.categories, kind)
        # The service takes the phone on file when a resident is picked; otherwise the caller's
        # number is required, and the field says so.
        resident = self.data.get("resident") if self.is_bound else self.initial.get("resident")
        self.phone_required = not resident
        if self.phone_required:
            self.fields["reporter_phone"].widget.attrs["aria-required"] = "true"


class QueueFilterForm(forms.Form):
    """The work queue's filters; every one optional."""

    q = forms.CharField(
        label=_("Number, name or unit"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "size": 14}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), ("open", _("open (on hold included)"))] + Ticket.Status.choices,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all"))] + Ticket.Kind.choices
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("all")), ("1", _("overdue only")), ("0", _("not overdue"))],
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    visit = forms.ChoiceField(
        label=_("Return visit"),
        required=False,
        choices=[("", _("all")), ("due", _("waiting for its return visit"))],
    )
    reported_from = forms.DateField(
        validators=[sane_date],
        label=_("Reported from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_to = forms.DateField(
        validators=[sane_date],
        label=_("Reported until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, categories=(), assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all"))] + [
            (str(c.pk), f"{c.get_kind_display()} · {c.label}") for c in categories
        ]
        self.fields["assignee"].choices = [("", _("anyone"))] + [
            (str(u.pk), u.get_full_name() or u.username) for u in assignees
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("reported_from"), data.get("reported_to")
        if start and end and end < start:
            self.add_error("reported_to", _("The end date is before the start date."))
        return data


# The ticket's transitions ---------------------------------------------------------------------
class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ResolveForm(forms.Form):
    """Resolving: a short completion note (required) and, on the confirmation step, photos of
    the finished work (optional)."""

    note = forms.CharField(
        label=_("Completion note"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("What was done, e.g. replaced the valve")}),
    )
    photos = PhotosField(label=_("Photos of the finished work (optional)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DispatchForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Technician"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, candidates=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in candidates
        ]
        self.fields["department"].choices = [("", "—")] + [(str(d.pk), d.name) for d in departments]


class CloseForm(forms.Form):
    """Closing: the outcome has no default unless the latest return visit reached the resident
    and said (the page passes it as ``initial``), so "solved" is never pre-chosen against what
    the resident said."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Ticket.Outcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CancelForm(forms.Form):
    """Cancelling (作废): the reason is chosen on purpose (no value preselected)."""

    reason = forms.ChoiceField(
        label=_("Why cancel it"), choices=[("", _("Choose…")), *Ticket.CancelReason.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ChargeForm(forms.Form):
    amount = forms.CharField(
        label=_("Charge (yuan; empty clears it)"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


YES_NO = [("1", _("yes")), ("0", _("no"))]


class VisitForm(forms.Form):
    """One return-visit call (回访)."""

    reached = forms.TypedChoiceField(
        label=_("Reached the resident"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=_("Problem solved"),
        choices=[("", "—")] + YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(5, 0, -1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen = forms.BooleanField(
        label=_("Not solved: reopen the ticket now (the comment is the reason)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("reopen") and not (data.get("reached") and data.get("solved") is False):
            self.add_error("reopen", _("Reopen only when the resident says it is not solved."))
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


# Configuration --------------------------------------------------------------------------------
class CategoryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Ticket.Kind.choices)
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=50, required=False)
    business_hours = forms.BooleanField(
        label=_("Clock on business hours (emergencies always run around the clock)"),
        required=False,
        initial=True,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    MINUTE_FIELDS = [f"{w}_minutes_{p}" for w in ("response", "resolve") for p in Priority.values]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Priority.choices)
        for name in self.MINUTE_FIELDS:
            what, _m, priority = name.split("_")
            label = _("Response, minutes") if what == "response" else _("Resolution, minutes")
            self.fields[name] = forms.IntegerField(
                label=f"{label} · {labels[priority]}",
                min_value=1,
                max_value=525600,
                widget=forms.NumberInput(attrs={"size": 7}),
            )

    @classmethod
    def initial_for(cls, category: Category) -> dict:
        fields = ["kind", "code", "name", "name_en", "business_hours", "active"]
        return {f: getattr(category, f) for f in fields + cls.MINUTE_FIELDS}

    def minutes(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in self.MINUTE_FIELDS}


class WorkingHoursForm(forms.Form):
    """One weekday's hours; an empty morning closes the day."""

    morning_start = forms.TimeField(label=_("opens"), required=False, input_formats=TIME_FORMATS)
    morning_end = forms.TimeField(
        label=_("lunch break from"), required=False, input_formats=TIME_FORMATS
    )
    afternoon_start = forms.TimeField(
        label=_("lunch break until"), required=False, input_formats=TIME_FORMATS
    )
    afternoon_end = forms.TimeField(label=_("closes"), required=False, input_formats=TIME_FORMATS)

    def clean(self):
        data = super().clean()
        for part in ("morning", "afternoon"):
            start, end = data.get(f"{part}_start"), data.get(f"{part}_end")
            if (start is None) != (end is None):
                self.add_error(f"{part}_end", _("Give both times, or neither."))
        if data.get("morning_start") is None and data.get("afternoon_start") is not None:
            self.add_error("morning_start", _("A day with an afternoon needs a morning."))
        return data

    def spans(self):
        d = self.cleaned_data
        morning = (d["morning_start"], d["morning_end"]) if d.get("morning_start") else None
        afternoon = (d["afternoon_start"], d["afternoon_end"]) if d.get("afternoon_start") else None
        return morning, afternoon


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        validators=[sane_date], label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("The day is"), choices=CalendarDay.DayKind.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=64)


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)


class ReplyTemplateForm(forms.Form):
    situation = forms.ChoiceField(label=_("Situation"), choices=ReplyTemplate.Situation.choices)
    title = forms.CharField(label=_("Title"), max_length=50)
    text = forms.CharField(
        label=_("Text"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("{number}, {estate}, {phone} and {resolve_due} are filled in from the ticket."),
    )
    sort = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
