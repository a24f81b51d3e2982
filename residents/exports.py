"""Spreadsheet exports of resident pages: CSV streamed row by row, XLSX by openpyxl in
write-only mode. Every cell a spreadsheet could read as a formula (= + - @, tab, CR) is
escaped with a leading apostrophe. Personal data leaves only masked."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # Excel reads the file as UTF-8 (Chinese names)
        yield writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(header: list[str], rows: Iterable[list], filename: str, title: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    workbook.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
