"""Forms of the fees pages. They only shape input; the services decide (amounts, bills,
reasons), and a refused service call comes back as an error beside its field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estate.models import Building
from estate.validators import sane_date
from fees.models import FeeItem, Payment, Reminder
from fees.selectors import AGE_BUCKETS, BillFilters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONEY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12})
PERIOD_INPUT = forms.TextInput(
    attrs={"pattern": r"\d{4}-\d{2}", "size": 8, "placeholder": "2026-10"}
)

BILL_STATUS_CHOICES = [
    ("", _("all")),
    ("unpaid", pgettext_lazy("bill status", "unpaid")),
    ("partial", pgettext_lazy("bill status", "partly paid")),
    ("paid", pgettext_lazy("bill status", "paid")),
    ("voided", pgettext_lazy("bill status", "voided")),
]
BUCKET_LABELS = {
    "d0_30": _("0-30 days"),
    "d31_90": _("31-90 days"),
    "d91_180": _("91-180 days"),
    "over_180": _("over 180 days"),
}


def _ranges_in_order(form: forms.Form, data: dict, *pairs: tuple[str, str]) -> None:
    for low, high in pairs:
        if data.get(low) and data.get(high) and data[high] <= data[low]:
            form.add_error(high, _("Must be after the start date."))


class BillFilterForm(forms.Form):
    """The bills list filters: the API's date ranges (``_to`` exclusive), the bill's state and
    unit, and the rates' drill-down parts (``voided``, ``paid``)."""

    due_from = forms.DateField(
        validators=[sane_date], label=_("Due from"), required=False, widget=DATE
    )
    due_to = forms.DateField(
        validators=[sane_date], label=_("Due before"), required=False, widget=DATE
    )
    issued_from = forms.DateField(
        validators=[sane_date], label=_("Issued from"), required=False, widget=DATE
    )
    issued_to = forms.DateField(
        validators=[sane_date], label=_("Issued before"), required=False, widget=DATE
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BILL_STATUS_CHOICES)
    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"size": 10, "placeholder": "3-2-1501"}),
    )
    voided = forms.ChoiceField(
        label=_("Voided"),
        required=False,
        choices=[("", _("all")), ("no", _("not voided")), ("yes", _("voided only"))],
    )
    paid = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[
            ("", _("all")),
            ("open", _("still owed")),
            ("on_time", _("fully paid by the due date")),
            ("judged", _("fully paid or past due")),
        ],
    )

    # The rates' drill-down: a stored snapshot's records, or 清欠率's arrears cohort of a month.
    snapshot = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    arrears_of = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False, widget=forms.HiddenInput
    )
    part = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("numerator", "numerator"), ("denominator", "denominator")],
        widget=forms.HiddenInput,
    )

    def clean(self):
        data = super().clean()
        _ranges_in_order(self, data, ("due_from", "due_to"), ("issued_from", "issued_to"))
        return data

    def filters(self) -> BillFilters:
        data = self.cleaned_data
        voided = {"yes": True, "no": False}.get(data.get("voided") or "")
        return BillFilters(
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            voided=voided,
            paid=data.get("paid") or "",
            status=data.get("status") or "",
            unit=data.get("unit") or "",
            snapshot=data.get("snapshot"),
            arrears_of=data.get("arrears_of") or "",
            part=data.get("part") or "",
        )


class BillIdsField(forms.MultipleChoiceField):
    """Bill ids as ticked. Any id passes here: the payment service decides which bills may be
    paid, after it has checked for a replay (a replayed form's bills are paid already)."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class PaymentForm(forms.Form):
    """The cashier's form. ``idempotency_key`` is made when the form is shown, so sending it
    twice (a double click, a browser retry) records one payment."""

    amount = forms.CharField(label=_("Amount (CNY)"), max_length=20, widget=MONEY_INPUT)
    method = forms.ChoiceField(
        label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.CASH
    )
    payer = forms.CharField(label=_("Payer"), required=False, max_length=50)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=64,
        help_text=_("Transfer or transaction number, if any."),
    )
    allocation = forms.ChoiceField(
        label=_("Pay"),
        choices=[("oldest", _("oldest bills first")), ("chosen", _("the bills ticked"))],
        initial="oldest",
        widget=forms.RadioSelect,
    )
    bills = BillIdsField(label=_("Bills"), required=False)
    received_at = forms.DateTimeField(
        validators=[sane_date],
        label=_("Received at"),
        required=False,
        widget=DATETIME,
        help_text=_("Leave empty for now."),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("allocation") == "chosen" and not data.get("bills"):
            self.add_error("bills", _("Tick the bills to pay, or pay the oldest first."))
        return data

    def bill_ids(self) -> list[int] | None:
        if self.cleaned_data.get("allocation") != "chosen":
            return None
        return [int(b) for b in self.cleaned_data["bills"]]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.TextInput(attrs={"size": 30})
    )


class VoidForm(ReasonForm):
    reissue_amount = forms.CharField(
        label=_("Reissue for (CNY)"),
        required=False,
        max_length=20,
        widget=MONEY_INPUT,
        help_text=_("Leave empty to void without a corrected bill."),
    )


class ReminderForm(forms.Form):
    channel = forms.ChoiceField(label=_("How"), choices=Reminder.Channel.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promised_date = forms.DateField(
        validators=[sane_date], label=_("Promised payment date"), required=False, widget=DATE
    )
    at = forms.DateTimeField(
        validators=[sane_date],
        label=_("When"),
        required=False,
        widget=DATETIME,
        help_text=_("Leave empty for now."),
    )


class ArrearsFilterForm(forms.Form):
    min_days = forms.IntegerField(
        label=_("Owing at least (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs={"size": 5}),
    )
    bucket = forms.ChoiceField(
        label=_("With money in"),
        required=False,
        choices=[("", _("any age"))] + [(key, BUCKET_LABELS[key]) for key, _l, _h in AGE_BUCKETS],
    )
    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"size": 10, "placeholder": "3-2"}),
    )
    to_remind = forms.BooleanField(label=_("Due a reminder"), required=False)

    def selector_args(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "min_days": data.get("min_days") or 1,
            "bucket": data.get("bucket") or "",
            "unit": data.get("unit") or "",
            "to_remind": bool(data.get("to_remind")),
        }


class StatementForm(forms.Form):
    start = forms.DateField(validators=[sane_date], label=_("From"), required=False, widget=DATE)
    end = forms.DateField(validators=[sane_date], label=_("Before"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        _ranges_in_order(self, data, ("start", "end"))
        return data


class MeterSheetForm(forms.Form):
    """Which readings to enter: a metered item, a period and optionally one building."""

    item = forms.ModelChoiceField(label=_("Meter"), queryset=FeeItem.objects.none())
    period = forms.RegexField(
        label=_("Period (YYYY-MM)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=PERIOD_INPUT
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = FeeItem.objects.filter(
            estate=estate, basis=FeeItem.Basis.METERED, is_active=True
        ).order_by("code")
        self.fields["building"].queryset = Building.objects.filter(estate=estate).order_by("number")


class MeterImportForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Meter"), queryset=FeeItem.objects.none())
    period = forms.RegexField(
        label=_("Period (YYYY-MM)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=PERIOD_INPUT
    )
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "Column A: unit number, column B: reading. A first row of headings is skipped."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = FeeItem.objects.filter(
            estate=estate, basis=FeeItem.Basis.METERED, is_active=True
        ).order_by("code")


class DayEndForm(forms.Form):
    """The day-end page's day and cashier (empty: the whole estate)."""

    day = forms.DateField(label=_("Day"), required=False, widget=DATE)
    cashier = forms.TypedChoiceField(
        label=_("Received by"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, cashiers=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["cashier"].choices = [("", _("everyone")), *cashiers]

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is None:
            return self.today
        if day.year < 2000 or (self.today is not None and day > self.today):
            raise forms.ValidationError(_("Choose a day from 2000 to today."))
        return day
