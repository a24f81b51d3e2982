"""Spreadsheet exports of the bills list and the arrears list, with the page's filters.

CSV streams row by row (StreamingHttpResponse over a server-side cursor); XLSX is written by
openpyxl in write-only mode, which keeps rows in a temporary file rather than in memory, and
the finished file is streamed from disk, with a frozen header row, column widths and number
formats for money (#,##0.00), dates and times. A text cell that a spreadsheet would run as a
formula (=, +, -, @ at its start) opens as text, in XLSX and CSV (formula injection). Phones are included only for roles that may export
personal data, and such an export is written to the access log."""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from estate import localtime, privacy, scoping
from fees import selectors
from fees.models import Reminder

CHUNK = 2000


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def csv_cell(value):
    """A CSV cell: empty for None; a text a spreadsheet would run as a formula (it starts with
    = + - @, a tab or a carriage return) is prefixed with ' so it opens as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that Excel reads the file as UTF-8 (Chinese names)
        yield writer.writerow([csv_cell(v) for v in header])
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _text_width(text: str) -> float:
    """Spreadsheet column units: a Chinese character is about two Latin ones wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


class _SheetWriter:
    """One sheet of a write-only workbook: bold frozen header, column widths (from the header
    and the kind of each column's values, known only row by row, so the widths are set from
    ``widths`` or a default by kind), number formats for money, dates and times, and text that
    a spreadsheet would run as a formula kept as text."""

    def __init__(self, workbook: Workbook, title: str, header: list[str], widths=None):
        self.sheet = workbook.create_sheet(title=title[:31])
        self.sheet.freeze_panes = "A2"
        for index, label in enumerate(header, start=1):
            given = (widths or {}).get(index - 1)
            width = given or min(max(_text_width(label) + 4, 12), 40)
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        cells = []
        for label in header:
            cell = WriteOnlyCell(self.sheet, value=str(label))
            cell.font = bold
            cell.data_type = "s"
            cells.append(cell)
        self.sheet.append(cells)

    def cell(self, value):
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, bool) or value is None:
            return cell
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str):
            # openpyxl takes a text starting with = for a formula; it stays text here.
            cell.data_type = "s"
        return cell

    def append(self, row) -> None:
        self.sheet.append([self.cell(v) for v in row])


def xlsx_workbook(sheets: list[tuple[str, list[str], Iterable[list]]], filename: str, widths=None):
    """An .xlsx of one or more sheets, each ``(title, header, rows)``, streamed from disk."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        writer = _SheetWriter(workbook, title, header, widths)
        for row in rows:
            writer.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    workbook.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def xlsx_response(header: list[str], rows: Iterable[list], filename: str, title: str):
    return xlsx_workbook([(title, header, rows)], filename)


def respond(fmt: str, header: list[str], rows: Iterable[list], stem: str, title: str):
    if fmt == "xlsx":
        return xlsx_response(header, rows, f"{stem}.xlsx", title)
    return csv_response(header, rows, f"{stem}.csv")


def _chunks(iterator: Iterator, size: int = CHUNK) -> Iterator[list]:
    chunk = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def may_export_phones(user, estate) -> bool:
    return scoping.can(user, estate, "personal_data.export")


def _log_phone_export(request, estate, what: str) -> None:
    privacy.log_unmasked(
        user=request.user, obj=estate, estate=estate, field=f"phone:{what}", request=request
    )


def _contact_cells(contact, phones: bool) -> list:
    name = contact.name if contact is not None else ""
    if not phones:
        return [name]
    return [name, contact.phone if contact is not None else ""]


BILL_FIELDS = (
    "number",
    "unit_id",
    "unit__number",
    "fee_item__name",
    "period",
    "amount_due",
    "amount_paid",
    "due_date",
    "issued_at",
    "fully_paid_at",
    "voided_at",
    "void_reason",
)


def _status(amount_paid: Decimal, fully_paid_at, voided_at) -> str:
    if voided_at is not None:
        return "voided"
    if fully_paid_at is not None:
        return "paid"
    return "partial" if amount_paid > 0 else "unpaid"


def bill_rows(qs, *, estate, phones: bool, labels: dict) -> Iterator[list]:
    """Rows of the bills export, read as plain tuples (no model objects: a million rows stream
    in constant memory and quickly); ``labels`` are translated before streaming starts, since
    the rows are made after the view has returned."""
    tz = estate.tz
    for chunk in _chunks(qs.values_list(*BILL_FIELDS).iterator(chunk_size=CHUNK)):
        contacts = selectors.primary_contacts({row[1] for row in chunk})
        for (
            number,
            unit_id,
            unit_number,
            item,
            period,
            due,
            paid,
            due_date,
            issued_at,
            fully_paid_at,
            voided_at,
            void_reason,
        ) in chunk:
            yield [
                number,
                unit_number,
                *_contact_cells(contacts.get(unit_id), phones),
                item,
                period,
                due,
                paid,
                due - paid if voided_at is None else Decimal("0.00"),
                due_date,
                labels[_status(paid, fully_paid_at, voided_at)],
                localtime.naive_local(issued_at, tz),
                localtime.naive_local(fully_paid_at, tz),
                localtime.naive_local(voided_at, tz),
                void_reason,
            ]


def bills_export(request, qs, *, estate, fmt: str):
    phones = may_export_phones(request.user, estate)
    header = [
        _("Bill number"),
        _("Unit"),
        _("Primary contact"),
        *([_("Phone")] if phones else []),
        _("Fee item"),
        _("Period"),
        _("Amount due"),
        _("Amount paid"),
        _("Owed"),
        _("Due date"),
        _("Status"),
        _("Issued at"),
        _("Fully paid at"),
        _("Voided at"),
        _("Reason for voiding"),
    ]
    if phones:
        _log_phone_export(request, estate, "bills")
    stem = f"{estate.code}-bills-{timezone.localdate(timezone.now(), estate.tz)}"
    labels = {
        "voided": pgettext("bill status", "voided"),
        "paid": pgettext("bill status", "paid"),
        "partial": pgettext("bill status", "partly paid"),
        "unpaid": pgettext("bill status", "unpaid"),
    }
    rows = bill_rows(qs, estate=estate, phones=phones, labels=labels)
    return respond(fmt, header, rows, stem, _("Bills"))


def arrears_rows(qs, *, estate, phones: bool, channels: dict) -> Iterator[list]:
    tz = estate.tz
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK)):
        ids = [row["unit_id"] for row in chunk]
        contacts = selectors.primary_contacts(ids)
        reminders = selectors.latest_reminders(ids)
        for row in chunk:
            reminder = reminders.get(row["unit_id"])
            yield [
                row["unit__number"],
                *_contact_cells(contacts.get(row["unit_id"]), phones),
                row["d0_30"],
                row["d31_90"],
                row["d91_180"],
                row["over_180"],
                row["total"],
                row["bills"],
                row["oldest_due"],
                localtime.naive_local(reminder.at, tz) if reminder else None,
                channels[reminder.channel] if reminder else "",
                reminder.promised_date if reminder else None,
            ]


def arrears_export(request, qs, *, estate, fmt: str):
    phones = may_export_phones(request.user, estate)
    header = [
        _("Unit"),
        _("Primary contact"),
        *([_("Phone")] if phones else []),
        _("0-30 days"),
        _("31-90 days"),
        _("91-180 days"),
        _("over 180 days"),
        _("Total owed"),
        _("Bills"),
        _("Oldest due date"),
        _("Last reminder"),
        _("How"),
        _("Promised payment date"),
    ]
    if phones:
        _log_phone_export(request, estate, "arrears")
    stem = f"{estate.code}-arrears-{timezone.localdate(timezone.now(), estate.tz)}"
    channels = {value: str(label) for value, label in Reminder.Channel.choices}
    rows = arrears_rows(qs, estate=estate, phones=phones, channels=channels)
    return respond(fmt, header, rows, stem, _("Arrears"))
