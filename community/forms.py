"""Forms of the community pages (staff and residents). Substance is checked by the services,
so the API, the staff pages and the residents' pages refuse the same things; a DomainError
lands next to its field through ``add_domain_error``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.facilities.models import Facility
from community.models import Announcement, Aspect
from estate.errors import DomainError
from estate.validators import sane_date

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def dt_field(label, required=True):
    return forms.DateTimeField(
        validators=[sane_date],
        label=label,
        required=required,
        input_formats=DT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def add_domain_error(form: forms.Form, exc: DomainError, aliases: dict | None = None) -> None:
    """The service's refusal next to its field (or above the form when no field matches)."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    poster = forms.FileField(
        label=_("Poster (image)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    facility = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.none(),
        required=False,
        help_text=_("Its slots covering the event are booked for it."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        help_text=_("Without a facility: where the event takes place."),
    )
    place_capacity = forms.IntegerField(
        label=_("Capacity of the place"), required=False, min_value=1, max_value=100_000
    )
    starts_at = dt_field(_("Starts at"))
    ends_at = dt_field(_("Ends at"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)
    signup_opens_at = dt_field(_("Sign-up opens"))
    signup_closes_at = dt_field(_("Sign-up closes"))
    fee = forms.DecimalField(
        label=_("Fee per person (CNY)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Billed to the unit's fee account when the sign-up names a unit."),
    )

    def __init__(self, *args, estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.filter(estate=estate, active=True)


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    unit_number = forms.CharField(
        label=_("Unit number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1501", "autocomplete": "off"}),
    )
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=10, initial=1)


class PublicSignUpForm(SignUpForm):
    # Honeypot: hidden from people (out of sight, out of the Tab order), filled in by bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was it?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnnouncementForm(forms.Form):
    estates = forms.MultipleChoiceField(
        label=_("Estates"), widget=forms.CheckboxSelectMultiple, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text: line breaks are kept and links become clickable; no HTML."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Announcement.Category.choices)
    pinned = forms.BooleanField(label=_("Pinned to the top"), required=False)
    publish_at = dt_field(_("Publish at"))
    expire_at = dt_field(_("Expire at"), required=False)

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if estates is None:
            del self.fields["estates"]
        else:
            self.fields["estates"].choices = [(e.code, f"{e.code} {e.name}") for e in estates]


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    period = forms.CharField(
        label=_("Period"), max_length=16, widget=forms.TextInput(attrs={"placeholder": "2026-Q4"})
    )
    opens_at = dt_field(_("Opens at"))
    closes_at = dt_field(_("Closes at"))
    aspects = forms.MultipleChoiceField(
        label=_("Aspects"),
        choices=Aspect.choices,
        initial=Aspect.values,
        widget=forms.CheckboxSelectMultiple,
    )


class QuestionsForm(forms.Form):
    def __init__(self, *args, survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {q.aspect: q.text for q in survey.questions.all()} if survey else {}
        for aspect, label in Aspect.choices:
            self.fields[f"text_{aspect}"] = forms.CharField(
                label=label, max_length=200, required=False, initial=current.get(aspect, "")
            )


RATING_CHOICES = [(i, str(i)) for i in range(1, 6)]


class AnswersForm(forms.Form):
    """A rating (1-5) and an optional comment per question of the survey."""

    def __init__(self, *args, questions=(), with_unit=True, with_channel=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_unit:
            self.fields["unit_number"] = forms.CharField(
                label=_("Unit number"),
                max_length=32,
                widget=forms.TextInput(attrs={"placeholder": "3-2-1501", "autocomplete": "off"}),
            )
        if with_channel:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Source"),
                choices=[("paper", _("paper form")), ("phone", _("phone"))],
                widget=forms.RadioSelect,
                initial="paper",
            )
        self.questions = list(questions)
        for q in self.questions:
            # A plain choice field: a tampered value (6) reaches the service, which refuses it.
            self.fields[f"rating_{q.aspect}"] = forms.CharField(
                label=q.text, widget=forms.RadioSelect(choices=RATING_CHOICES), max_length=3
            )
            self.fields[f"comment_{q.aspect}"] = forms.CharField(
                label=_("Comment (optional)"), max_length=500, required=False
            )

    def ratings(self) -> dict:
        return {q.aspect: self.cleaned_data.get(f"rating_{q.aspect}") for q in self.questions}

    def comments(self) -> dict:
        return {q.aspect: self.cleaned_data.get(f"comment_{q.aspect}", "") for q in self.questions}

    def rows(self):
        """(rating field, comment field) per question, for the template."""
        return [(self[f"rating_{q.aspect}"], self[f"comment_{q.aspect}"]) for q in self.questions]


class CallForm(AnswersForm):
    reached = forms.TypedChoiceField(
        label=_("Reached the resident?"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_unit=False, **kwargs)
        if self.data and self.data.get("reached") == "0":
            for q in self.questions:
                self.fields[f"rating_{q.aspect}"].required = False
