"""Spreadsheet exports of the bills list and the arrears list, with the page's filters.

CSV streams row by row (StreamingHttpResponse over a server-side cursor); XLSX is written by
openpyxl in write-only mode, which keeps rows in a temporary file rather than in memory, and
the finished file is streamed from disk, through the shared estate/exports.py (frozen header,
column widths, number formats for money, dates and times, formula-looking text kept as text).
Phones are included only for roles that may export personal data, and such an export is written to the access log."""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estate import exports, localtime, privacy, scoping
from fees import selectors
from fees.models import Reminder

CHUNK = 2000


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    return exports.csv_response(header, rows, filename)


def xlsx_response(header: list[str], rows: Iterable[list], filename: str, title: str):
    return exports.xlsx_response(header, rows, filename, title)


def xlsx_workbook(sheets, filename: str, widths=None):
    return exports.xlsx_workbook(sheets, filename, widths)


def respond(fmt: str, header: list[str], rows: Iterable[list], stem: str, title: str):
    """The shared export (estate/exports.py): formula-looking text escaped, money and date
    formats, a frozen header."""
    return exports.respond(fmt, header, rows, stem, title)


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
