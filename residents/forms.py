"""Forms of the resident pages. Validation of what a file holds is the service's (one rule for
the pages, the API and the import); these forms only turn text into values."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from estate.models import Unit
from estate.validators import sane_date, since_1900
from residents.models import Resident
from residents.services import FileData

_SPLIT = re.compile(r"[,，;；、\s]+")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ResidentForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=200)
    phone = forms.CharField(
        label=_l("Mobile phone"),
        max_length=32,
        required=False,
        help_text=_l("11 digits, e.g. 13812345678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_l("Kind"), choices=Resident.Kind.choices)
    id_kind = forms.ChoiceField(label=_l("Document kind"), choices=Resident.IdKind.choices)
    id_number = forms.CharField(
        label=_l("Document number"),
        max_length=40,
        required=False,
        help_text=_l("Optional. An ID card number has 18 characters with its check digit."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    units = forms.CharField(
        label=_l("Units"),
        max_length=500,
        required=False,
        help_text=_l("Unit numbers separated by commas, e.g. 3-2-1501, 3-2-1502."),
    )
    primary = forms.BooleanField(label=_l("Primary contact of these units"), required=False)
    move_in_date = forms.DateField(
        validators=[since_1900], label=_l("Move-in date"), required=False, widget=DateInput()
    )
    move_out_date = forms.DateField(
        validators=[since_1900], label=_l("Move-out date"), required=False, widget=DateInput()
    )
    emergency_contact = forms.CharField(
        label=_l("Emergency contact"), max_length=200, required=False
    )
    emergency_phone = forms.CharField(
        label=_l("Emergency contact's mobile"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    parking_spaces = forms.CharField(label=_l("Parking spaces"), max_length=400, required=False)
    vehicles = forms.CharField(
        label=_l("Vehicles"),
        required=False,
        max_length=1000,
        help_text=_l("One per line: plate, then its parking space if any (沪A12345 B2-018)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pets = forms.CharField(
        label=_l("Pets"),
        required=False,
        max_length=1000,
        help_text=_l("One per line, e.g. 狗 · 泰迪 · 豆豆."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_l("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, estate, resident: Resident | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate, self.resident = estate, resident
        if resident is None:
            self.fields["phone"].required = True
        else:
            # The full numbers are never put in the form: blank keeps the current value.
            for name, masked in (
                ("phone", resident.phone_masked),
                ("id_number", resident.id_number_masked),
                ("emergency_phone", resident.emergency_phone_masked),
            ):
                if masked:
                    self.fields[name].help_text = _("Now %(m)s; leave blank to keep it.") % {
                        "m": masked
                    }
            held = [o for o in getattr(resident, "current_occupancies", [])]
            if held:
                self.fields["remove_units"] = forms.MultipleChoiceField(
                    label=_l("End these ties"),
                    required=False,
                    choices=[(o.unit_id, o.unit.number) for o in held],
                    widget=forms.CheckboxSelectMultiple,
                )

    def clean_units(self) -> list[Unit]:
        numbers = [n for n in _SPLIT.split(self.cleaned_data.get("units", "")) if n]
        found = {u.number: u for u in Unit.objects.filter(estate=self.estate, number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No unit %(u)s in this estate.") % {"u": ", ".join(unknown)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]

    def clean_vehicles(self) -> list[tuple[str, str]]:
        vehicles = []
        for line in self.cleaned_data.get("vehicles", "").splitlines():
            parts = line.split(None, 1)
            if parts:
                vehicles.append((parts[0], parts[1].strip() if len(parts) > 1 else ""))
        return vehicles

    def clean_pets(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data.get("pets", "").splitlines() if p.strip()]

    def file_data(self, base: FileData | None = None) -> FileData:
        """The typed values over ``base`` (the file's current data when editing): a blank
        phone, document number or emergency mobile keeps the current one."""
        c = self.cleaned_data
        data = base or FileData()
        secret = {
            k: c[k] for k in ("phone", "id_number", "emergency_phone") if c.get(k, "").strip()
        }
        return FileData(
            name=c["name"],
            phone=secret.get("phone", data.phone),
            kind=c["kind"],
            id_kind=c["id_kind"],
            id_number=secret.get("id_number", data.id_number),
            move_in_date=c.get("move_in_date"),
            move_out_date=c.get("move_out_date"),
            emergency_contact=c.get("emergency_contact", ""),
            emergency_phone=secret.get("emergency_phone", data.emergency_phone),
            parking_spaces=c.get("parking_spaces", ""),
            notes=c.get("notes", ""),
            vehicles=c.get("vehicles", []),
            pets=c.get("pets", []),
        )


def initial_of(resident: Resident) -> dict:
    """The edit form's starting values: never the full numbers."""
    return {
        "name": resident.name,
        "kind": resident.kind,
        "id_kind": resident.id_kind,
        "move_in_date": resident.move_in_date,
        "move_out_date": resident.move_out_date,
        "emergency_contact": resident.emergency_contact,
        "parking_spaces": resident.parking_spaces,
        "notes": resident.notes,
        "vehicles": "\n".join(
            f"{v.plate} {v.parking_space}".strip() for v in resident.vehicles.all()
        ),
        "pets": "\n".join(p.description for p in resident.pets.all()),
    }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_l("Spreadsheet"),
        help_text=_l("XLSX or CSV, first row the column names of the template; at most 5 MB."),
    )


class AccessLogFilter(forms.Form):
    user = forms.CharField(label=_l("User"), max_length=150, required=False)
    date_from = forms.DateField(
        validators=[sane_date], label=_l("From"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(
        validators=[sane_date], label=_l("To"), required=False, widget=DateInput()
    )
    record = forms.CharField(label=_l("Record number"), max_length=20, required=False)
    field = forms.ChoiceField(
        label=_l("Field"),
        required=False,
        choices=[
            ("", "—"),
            ("phone", _l("phone")),
            ("id_number", _l("ID number")),
            ("emergency_phone", _l("emergency phone")),
        ],
    )

    def clean(self):
        c = super().clean()
        start, end = c.get("date_from"), c.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        for name in ("date_from", "date_to"):
            value = c.get(name)
            if value and not (dt.date(2000, 1, 1) <= value <= dt.date(2200, 1, 1)):
                self.add_error(name, _("This date is out of range."))
        return c

    def filters(self) -> dict:
        c = self.cleaned_data
        return {
            "username": c.get("user", "").strip(),
            "date_from": c.get("date_from"),
            "date_to": c.get("date_to"),
            "record": c.get("record", "").strip(),
            "field": c.get("field", ""),
        }
