"""Spreadsheet exports every list shares: CSV streamed row by row, XLSX written by openpyxl in
write-only mode to a temporary file (rows never held in memory) and streamed from disk.

- A text cell that a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a
  carriage return) is written as text: in CSV with a leading apostrophe, in XLSX as a string
  cell (it opens as the text typed, never runs).
- XLSX cells carry number formats: money (Decimal) ``#,##0.00``, dates ``yyyy-mm-dd``, times
  ``yyyy-mm-dd hh:mm``; the header row is bold and frozen; columns as wide as their header
  (a Chinese character counts twice) unless given.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def formula_safe(value):
    """A string that would start a formula, made plain text for CSV (leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel reads the file as UTF-8 (Chinese names)
    yield writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        yield writer.writerow(["" if v is None else formula_safe(v) for v in row])


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(sheet, value):
    if isinstance(value, str):
        if value.startswith(FORMULA_START):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            return cell
        return value
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # spreadsheets have no zones: callers pass local times
            value = value.replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _text_width(text: str) -> float:
    """Spreadsheet column units: a Chinese character is about two Latin ones wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _write_sheet(workbook, title: str, header: list[str], rows: Iterable[list], formats, widths):
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, label in enumerate(header):
        width = (widths or {}).get(index) or min(max(_text_width(label) + 4, 12), 40)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    cells = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=str(h))
        cell.font = bold
        cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
    formats = formats or {}
    for row in rows:
        out_row = []
        for i, value in enumerate(row):
            cell = _cell(sheet, value)
            if i in formats and value is not None:
                if not isinstance(cell, Cell):
                    cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[i]
            out_row.append(cell)
        sheet.append(out_row)


def write_xlsx_sheets(out, sheets, formats=None, widths=None) -> None:
    """Write a workbook of several sheets, each ``(title, header, rows)``, to the binary file
    ``out``. ``formats`` maps a column index to a number format overriding the default one of
    its values (e.g. a percentage); ``widths`` a column index to its width (else from the
    header)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        _write_sheet(workbook, title, header, rows, formats, widths)
    workbook.save(out)


def write_xlsx(out, header: list[str], rows: Iterable[list], title: str, formats=None, widths=None):
    write_xlsx_sheets(out, [(title, header, rows)], formats, widths)


def xlsx_workbook(sheets, filename: str, widths=None, formats=None):
    """An .xlsx of one or more sheets, each ``(title, header, rows)``, streamed from disk."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    write_xlsx_sheets(out, sheets, formats, widths)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def xlsx_response(
    header: list[str], rows: Iterable[list], filename: str, title: str, formats=None, widths=None
):
    return xlsx_workbook([(title, header, rows)], filename, widths, formats)


def respond(fmt: str, header: list[str], rows: Iterable[list], stem: str, title: str, formats=None):
    if fmt == "xlsx":
        return xlsx_response(header, rows, f"{stem}.xlsx", title, formats)
    return csv_response(header, rows, f"{stem}.csv")
