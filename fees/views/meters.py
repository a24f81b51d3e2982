"""Meter readings (抄表): a batch entry page, one row per unit for a metered item and period,
and an XLSX import with a dry run that shows what it would record and every row's error, and
records nothing until confirmed. Both save all rows or none (meter_readings_import)."""

import uuid
import zipfile

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from estate import localtime
from estate.errors import DomainError
from estate.pages import estate_page, page_of, with_query
from fees import exports, selectors, services
from fees import permissions as perm
from fees.forms import MeterImportForm, MeterSheetForm
from fees.views.common import form_error

SHEET_PAGE = 100  # rows per page: keeps a form well under Django's 1,000-field limit
MAX_FILE = 5 * 1024 * 1024
MAX_ROWS = 5000
SESSION_KEY = "fees_meter_import"


def _current_period(estate) -> str:
    return f"{localtime.today(estate):%Y-%m}"


def _sheet_form(request, estate) -> MeterSheetForm:
    data = request.GET.copy()
    data.setdefault("period", _current_period(estate))
    if not data.get("item"):
        first = MeterSheetForm(estate=estate).fields["item"].queryset.first()
        if first is None:  # nothing to read: an empty form, not a "required" error
            return MeterSheetForm(estate=estate, initial={"period": data["period"]})
        data["item"] = str(first.pk)
    return MeterSheetForm(data, estate=estate)


@estate_page(perm.METER_READING_RECORD)
def meters(request, estate):
    """Enter a period's readings for the units of an estate (or of one building), 100 a page.
    Only rows whose reading was typed or changed are sent to the service; a row's error
    shows beside it and nothing is saved until every row is right."""
    form = _sheet_form(request, estate)
    context = {"estate": estate, "form": form, "page": None, "errors": {}}
    status = 200
    if form.is_valid():
        item, period = form.cleaned_data["item"], form.cleaned_data["period"]
        building = form.cleaned_data["building"]
        qs = selectors.meter_sheet(
            estate=estate,
            fee_item=item,
            period_label=period,
            building_id=building.pk if building else None,
        )
        page = page_of(qs, request, qs.count(), size=SHEET_PAGE)
        context["page"] = page
        for unit in page.rows:
            unit.typed = unit.error = None
        if request.method == "POST":
            result, typed = _save_sheet(request, estate, item, period, page.rows)
            if result is not None and result.ok:
                messages.success(request, _("%(n)d readings saved.") % {"n": result.saved})
                return redirect(request.get_full_path())
            errors = {} if result is None else {u: msg for _r, u, _f, msg in result.errors}
            for unit in page.rows:
                unit.typed = typed.get(unit.number)
                unit.error = errors.get(unit.number)
            context["errors"] = errors
            status = 422 if errors else 200
    elif request.method == "POST":
        status = 422
    context["query"] = request.GET.urlencode()
    return render(request, "fees/meters.html", context, status=status)


def _save_sheet(request, estate, item, period, rows):
    """(result or None when nothing changed, {unit number: value typed})."""
    typed, batch = {}, []
    for unit in rows:
        value = (request.POST.get(f"r{unit.pk}") or "").strip()
        typed[unit.number] = value
        current = "" if unit.current is None else f"{unit.current}"
        if value and value != current and not unit.billed:
            batch.append((unit.number, value))
    if not batch:
        messages.info(request, _("No reading was changed."))
        return None, typed
    result = services.meter_readings_import(
        estate=estate, fee_item=item, period_label=period, rows=batch, by=request.user
    )
    return result, typed


def _read_rows(upload) -> tuple[list[tuple[str, object]], list[int], int]:
    """(rows of (unit number, reading), their row numbers in the sheet, rows left out). A first
    row whose reading cell is not a number is taken for headings; rows without a reading (a
    unit not read yet, as in the downloaded template) are left out."""
    if upload.size > MAX_FILE:
        raise DomainError("invalid", _("The file is over 5 MB."), field="file")
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(
            "invalid", _("This is not an Excel (.xlsx) file."), field="file"
        ) from None
    rows, numbers, skipped = [], [], 0
    try:
        sheet = workbook.worksheets[0]
        for index, cells in enumerate(sheet.iter_rows(max_col=2, values_only=True), start=1):
            number, value = (list(cells) + [None, None])[:2]
            if number is None and value is None:
                continue
            if index == 1 and not isinstance(value, int | float) and not _numeric(value):
                continue
            if value is None or str(value).strip() == "":
                skipped += 1
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    "invalid", _("At most %(n)d rows at a time.") % {"n": MAX_ROWS}, field="file"
                )
            rows.append(("" if number is None else str(number).strip(), value))
            numbers.append(index)
    finally:
        workbook.close()
    if not rows:
        raise DomainError("invalid", _("The sheet has no readings."), field="file")
    return rows, numbers, skipped


def _numeric(value) -> bool:
    try:
        float(str(value).strip())
    except (TypeError, ValueError):
        return False
    return True


def _reading_text(value) -> str:
    """A spreadsheet number as the service reads it: 1234.5 stays 1234.5, not 1234.500001."""
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value).strip()


def _preview(result, numbers: list[int]) -> dict:
    by_list_row = dict(enumerate(numbers, start=1))
    return {
        "readings": result.readings,
        "errors": [
            {"row": by_list_row.get(i, i), "unit": unit, "field": field, "message": message}
            for i, unit, field, message in result.errors
        ],
    }


@estate_page(perm.METER_READING_RECORD)
def meter_import(request, estate):
    """Upload → dry run (nothing recorded: what would be, and every row's error with its row
    number) → confirm (records the same rows, all or none)."""
    context = {"estate": estate}
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request, estate)
    if request.method != "POST":
        initial = {"period": _current_period(estate)}
        context["form"] = MeterImportForm(estate=estate, initial=initial)
        return render(request, "fees/meter_import.html", context)
    form = MeterImportForm(request.POST, request.FILES, estate=estate)
    context["form"] = form
    if not form.is_valid():
        return render(request, "fees/meter_import.html", context, status=422)
    item, period = form.cleaned_data["item"], form.cleaned_data["period"]
    try:
        rows, numbers, skipped = _read_rows(form.cleaned_data["file"])
        rows = [(number, _reading_text(value)) for number, value in rows]
        result = services.meter_readings_import(
            estate=estate,
            fee_item=item,
            period_label=period,
            rows=rows,
            by=request.user,
            dry_run=True,
        )
    except DomainError as exc:
        form_error(form, exc)
        return render(request, "fees/meter_import.html", context, status=exc.status)
    token = uuid.uuid4().hex
    if result.ok:
        request.session[SESSION_KEY] = {
            "token": token,
            "estate": estate.pk,
            "item": item.pk,
            "period": period,
            "rows": rows,
            "numbers": numbers,
        }
    context.update(
        {
            "item": item,
            "period": period,
            "dry_run": _preview(result, numbers),
            "token": token if result.ok else "",
            "row_count": len(rows),
            "skipped": skipped,
        }
    )
    return render(request, "fees/meter_import.html", context, status=200 if result.ok else 422)


def _confirm(request, estate):
    stored = request.session.get(SESSION_KEY) or {}
    if stored.get("token") != request.POST.get("confirm") or stored.get("estate") != estate.pk:
        messages.error(request, _("This import is no longer waiting; upload the file again."))
        return redirect(with_query(reverse("fees:meter_import"), estate=estate.code))
    item = MeterImportForm(estate=estate).fields["item"].queryset.filter(pk=stored["item"]).first()
    if item is None:
        messages.error(request, _("This meter no longer exists; upload the file again."))
        return redirect(with_query(reverse("fees:meter_import"), estate=estate.code))
    result = services.meter_readings_import(
        estate=estate,
        fee_item=item,
        period_label=stored["period"],
        rows=[tuple(row) for row in stored["rows"]],
        by=request.user,
    )
    del request.session[SESSION_KEY]
    if not result.ok:
        context = {
            "estate": estate,
            "form": MeterImportForm(
                estate=estate, initial={"item": item, "period": stored["period"]}
            ),
            "item": item,
            "period": stored["period"],
            "dry_run": _preview(result, stored["numbers"]),
            "token": "",
            "row_count": len(stored["rows"]),
        }
        return render(request, "fees/meter_import.html", context, status=422)
    messages.success(request, _("%(n)d readings imported.") % {"n": result.saved})
    return redirect(
        with_query(
            reverse("fees:meters"), estate=estate.code, item=item.pk, period=stored["period"]
        )
    )


@estate_page(perm.METER_READING_RECORD)
def meter_template(request, estate):
    """An .xlsx to fill in: every unit with its previous reading, for the import."""
    form = _sheet_form(request, estate)
    if not form.is_valid():
        return redirect(f"{reverse('fees:meters')}?{request.GET.urlencode()}")
    item, period = form.cleaned_data["item"], form.cleaned_data["period"]
    qs = selectors.meter_sheet(estate=estate, fee_item=item, period_label=period)
    rows = ([u.number, u.current, u.previous] for u in qs.iterator(chunk_size=500))
    header = [_("Unit"), _("Reading"), _("Previous reading")]
    return exports.xlsx_response(
        header, rows, f"{estate.code}-{item.code}-{period}.xlsx", f"{item.code} {period}"
    )
