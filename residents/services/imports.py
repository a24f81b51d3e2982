"""Importing residents and households from a spreadsheet (XLSX or CSV).

Two steps, both run by a Huey task (residents/tasks.py) with their progress on the ImportJob:
the check (a dry run: every row validated, every bad row listed with its number and reason,
nothing written) and, only when the check found no bad row, the import, which checks again and
then writes in chunks of CHUNK rows (a chunk is one transaction; the job's progress is saved
between chunks so the page can show it).

Idempotent: a row is matched to an existing file of the estate by its ID number (blind index),
else by name and phone (blind index), so importing the same file twice changes nothing. A blank
cell never erases what a file holds. Rows of one person (same key) are one file with several
units. The rows wait on the job encrypted and are erased once imported."""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from estate import privacy
from estate.errors import DomainError
from estate.models import Estate, Unit
from residents.models import ImportJob, Occupancy, Resident, ResidentChange
from residents.services.files import (
    FileData,
    _clean,
    _differences,
    file_data_of,
    resident_file_create,
    resident_update,
)

CHUNK = 200
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024

# Column headings understood (Chinese as in the template, or the English field name).
COLUMNS = {
    "name": ("姓名", "name"),
    "phone": ("手机", "手机号", "手机号码", "phone", "mobile"),
    "kind": ("类型", "身份", "kind"),
    "id_kind": ("证件类型", "id_kind"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "id_number"),
    "units": ("房号", "房屋", "unit", "units"),
    "primary": ("主要联系人", "primary"),
    "move_in_date": ("入住日期", "move_in_date"),
    "move_out_date": ("迁出日期", "move_out_date"),
    "emergency_contact": ("紧急联系人", "emergency_contact"),
    "emergency_phone": ("紧急联系电话", "emergency_phone"),
    "parking_spaces": ("车位", "parking_spaces"),
    "vehicles": ("车牌", "vehicles"),
    "pets": ("宠物", "pets"),
    "notes": ("备注", "notes"),
}
TEMPLATE_HEADER = [names[0] for names in COLUMNS.values()]
_KIND_WORDS = {
    "业主": Resident.Kind.OWNER,
    "租户": Resident.Kind.TENANT,
    "家属": Resident.Kind.FAMILY,
    "家庭成员": Resident.Kind.FAMILY,
}
_ID_KIND_WORDS = {
    "身份证": Resident.IdKind.NATIONAL_ID,
    "居民身份证": Resident.IdKind.NATIONAL_ID,
    "护照": Resident.IdKind.PASSPORT,
    "港澳通行证": Resident.IdKind.HK_MACAO,
    "港澳居民来往内地通行证": Resident.IdKind.HK_MACAO,
    "台湾通行证": Resident.IdKind.TAIWAN,
    "台胞证": Resident.IdKind.TAIWAN,
}
_YES = {"是", "y", "yes", "1", "true", "主"}
_SPLIT = re.compile(r"[,，;；、\s]+")


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class PlannedFile:
    key: str
    rows: list[int]
    values: dict
    unit_numbers: list[str] = field(default_factory=list)
    primary: bool = False
    existing: Resident | None = None
    data: FileData | None = None
    units: list[Unit] = field(default_factory=list)


@dataclass
class CheckResult:
    files: list[PlannedFile]
    errors: list[RowError]
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0


# Reading the file ------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(upload) -> list[dict]:
    """[{"row": n, field: text, ...}] from an uploaded XLSX or CSV (the first sheet; the first
    row holds the headings). A file that cannot be read is a DomainError on ``file``."""
    if upload.size > MAX_BYTES:
        raise DomainError("invalid", _("The file is larger than 5 MB."), field="file")
    name = (upload.name or "").lower()
    content = upload.read()
    try:
        if name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            raw = [
                [_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
            ]
        elif name.endswith(".csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("gb18030")
            raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        else:
            raise DomainError("invalid", _("Upload an .xlsx or .csv file."), field="file")
    except DomainError:
        raise
    except Exception:  # a damaged spreadsheet: say so, never a 500
        raise DomainError("invalid", _("This file cannot be read."), field="file") from None
    if not raw:
        raise DomainError("invalid", _("The file is empty."), field="file")
    by_heading = {h: f for f, names in COLUMNS.items() for h in names}
    header = [by_heading.get(h.strip().lower() if h.isascii() else h.strip()) for h in raw[0]]
    for needed in ("name", "phone"):
        if needed not in header:
            raise DomainError(
                "invalid",
                _("The first row must name the columns; %(col)s is missing.")
                % {"col": COLUMNS[needed][0]},
                field="file",
            )
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        if not any(cells):
            continue
        row = {"row": number}
        for col, value in zip(header, cells, strict=False):
            if col and value:
                row[col] = value
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise DomainError("invalid", _("At most 20,000 rows per file."), field="file")
    return rows


# Checking --------------------------------------------------------------------------------------


def _parse_date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        raise DomainError("invalid", _("Write dates as 2026-03-01."), field=name) from None


def _row_values(row: dict) -> dict:
    """The row's cells as FileData fields (only those given), or a DomainError."""
    values = {}
    for name in ("name", "phone", "id_number", "emergency_contact", "emergency_phone"):
        if name in row:
            values[name] = row[name]
    for name in ("parking_spaces", "notes"):
        if name in row:
            values[name] = row[name]
    if "kind" in row:
        word = row["kind"]
        values["kind"] = _KIND_WORDS.get(word, word.lower())
        if values["kind"] not in Resident.Kind.values:
            raise DomainError("invalid", _("Unknown resident kind."), field="kind")
    if "id_kind" in row:
        word = row["id_kind"]
        values["id_kind"] = _ID_KIND_WORDS.get(word, word.lower())
        if values["id_kind"] not in Resident.IdKind.values:
            raise DomainError("invalid", _("Unknown document kind."), field="id_kind")
    for name in ("move_in_date", "move_out_date"):
        if name in row:
            values[name] = _parse_date(row[name], name)
    if "vehicles" in row:
        values["vehicles"] = [(p, "") for p in _SPLIT.split(row["vehicles"]) if p]
    if "pets" in row:
        values["pets"] = [p for p in re.split(r"[,，;；、]+", row["pets"]) if p.strip()]
    return values


def _key(data: FileData) -> str:
    if data.id_number:
        return "id:" + privacy.blind_index(data.id_number)
    return "np:" + privacy.blind_index(f"{data.name}\x00{data.phone}")


def check_rows(*, estate: Estate, rows: list[dict], progress=None) -> CheckResult:
    """Validate every row and plan what the import would do; writes nothing."""
    errors: list[RowError] = []
    planned: dict[str, PlannedFile] = {}
    wanted_units = {n for row in rows for n in _SPLIT.split(row.get("units", "")) if n}
    units = {u.number: u for u in Unit.objects.filter(estate=estate, number__in=wanted_units)}
    for i, row in enumerate(rows, start=1):
        try:
            values = _row_values(row)
            data = _clean(FileData(**values))
            numbers = [n for n in _SPLIT.split(row.get("units", "")) if n]
            for n in numbers:
                if n not in units:
                    raise DomainError(
                        "invalid", _("No unit %(u)s in this estate.") % {"u": n}, field="units"
                    )
        except DomainError as exc:
            errors.append(RowError(row["row"], exc.field or "", exc.message))
            continue
        key = _key(data)
        plan = planned.get(key)
        if plan is None:
            plan = planned[key] = PlannedFile(key=key, rows=[], values=values)
        else:
            plan.values = {**plan.values, **values}
        plan.rows.append(row["row"])
        for n in numbers:
            if n not in plan.unit_numbers:
                plan.unit_numbers.append(n)
        plan.primary = plan.primary or str(row.get("primary", "")).strip().lower() in _YES
        if progress and i % CHUNK == 0:
            progress(i)
    _match_existing(estate, planned, errors, units)
    result = CheckResult(files=list(planned.values()), errors=errors)
    for plan in result.files:
        if plan.existing is None:
            result.to_create += 1
        elif _differences(plan.existing, plan.data) or _units_to_add(plan):
            result.to_update += 1
        else:
            result.unchanged += 1
    result.errors.sort(key=lambda e: e.row)
    return result


def _units_to_add(plan: PlannedFile) -> list[Unit]:
    held = {
        o.unit_id: o
        for o in (plan.existing.occupancies.all() if plan.existing else [])
        if o.ended_on is None
    }
    return [
        u for u in plan.units if u.pk not in held or (plan.primary and not held[u.pk].is_primary)
    ]


def _match_existing(estate, planned, errors, units) -> None:
    """Attach each planned file to the estate's existing file (ID, else name and phone), build
    its final data, and report primary-contact conflicts."""
    id_keys = [p.key[3:] for p in planned.values() if p.key.startswith("id:")]
    phones = {}
    for p in planned.values():
        data = _clean(FileData(**p.values))
        p.data = data
        phones.setdefault(privacy.blind_index(data.phone), []).append(p)
    live = Resident.objects.filter(estate=estate, merged_into__isnull=True)
    candidates = live.filter(id_number_index__in=id_keys) | live.filter(
        phone_index__in=list(phones)
    )
    by_id, by_name_phone = {}, {}
    for r in candidates.prefetch_related("occupancies", "vehicles", "pets"):
        if r.id_number_index:
            by_id.setdefault(r.id_number_index, r)
        by_name_phone.setdefault((r.name, r.phone_index), r)
    primaries = dict(
        Occupancy.objects.filter(
            unit__in=list(units.values()), is_primary=True, ended_on__isnull=True
        ).values_list("unit_id", "resident_id")
    )
    claimed: dict[int, int] = {}
    for plan in planned.values():
        data = plan.data
        existing = None
        if plan.key.startswith("id:"):
            existing = by_id.get(plan.key[3:])
        if existing is None:
            existing = by_name_phone.get((data.name, privacy.blind_index(data.phone)))
        plan.existing = existing
        if existing is not None:
            merged = file_data_of(existing)
            plan.data = _clean(replace(merged, **plan.values))
        plan.units = [units[n] for n in plan.unit_numbers]
        if plan.primary:
            for unit in plan.units:
                holder = primaries.get(unit.pk)
                other_row = claimed.get(unit.pk)
                if (holder and (existing is None or holder != existing.pk)) or other_row:
                    errors.append(
                        RowError(
                            plan.rows[0],
                            "primary",
                            _("Unit %(u)s already has a primary contact.") % {"u": unit.number},
                        )
                    )
                claimed[unit.pk] = plan.rows[0]


# The job ---------------------------------------------------------------------------------------


def import_job_start(*, estate: Estate, by, filename: str, rows: list[dict]) -> ImportJob:
    """A job holding the rows (encrypted) for the check; the caller enqueues the check task."""
    return ImportJob.objects.create(
        estate=estate,
        by=by,
        filename=filename[:200],
        rows_enc=privacy.encrypt(json.dumps(rows, ensure_ascii=False)),
        total=len(rows),
    )


def _rows_of(job: ImportJob) -> list[dict]:
    return json.loads(privacy.decrypt(job.rows_enc) or "[]")


def _save_progress(job: ImportJob, processed: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(processed=processed)


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: counts of what would be created, updated or left alone, and every bad row
    with its reason. Nothing else is written."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, processed=0)
    result = check_rows(
        estate=job.estate, rows=_rows_of(job), progress=lambda n: _save_progress(job, n)
    )
    job.status = ImportJob.Status.CHECKED
    job.processed = job.total
    job.to_create, job.to_update, job.unchanged = (
        result.to_create,
        result.to_update,
        result.unchanged,
    )
    job.errors = [{"row": e.row, "field": e.field, "message": e.message} for e in result.errors]
    job.save()
    return job


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Accept a clean check for import (the caller enqueues the import task)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.CHECKED or job.errors:
            raise DomainError("conflict", _("Only a checked file with no bad row can be imported."))
        job.status = ImportJob.Status.IMPORTING
        job.processed = 0
        job.save(update_fields=["status", "processed"])
    return job


def import_job_apply(*, job: ImportJob) -> ImportJob:
    """Check again (the files may have changed since), then write; a bad row now stops the
    import before anything is written and the job goes back to its report."""
    result = check_rows(estate=job.estate, rows=_rows_of(job))
    if result.errors:
        job.status = ImportJob.Status.CHECKED
        job.errors = [{"row": e.row, "field": e.field, "message": e.message} for e in result.errors]
        job.save(update_fields=["status", "errors"])
        return job
    created = updated = done = 0
    for start in range(0, len(result.files), CHUNK):
        with transaction.atomic():
            for plan in result.files[start : start + CHUNK]:
                if plan.existing is None:
                    resident_file_create(
                        estate=job.estate,
                        data=plan.data,
                        units=plan.units,
                        primary=plan.primary,
                        by=job.by,
                        kind=ResidentChange.Kind.IMPORTED,
                    )
                    created += 1
                else:
                    _resident, changes = resident_update(
                        resident=plan.existing,
                        data=plan.data,
                        units=_units_to_add(plan),
                        primary=plan.primary,
                        by=job.by,
                        kind=ResidentChange.Kind.IMPORTED,
                    )
                    updated += 1 if changes else 0
                done += len(plan.rows)
        _save_progress(job, done)
    job.status = ImportJob.Status.DONE
    job.created, job.updated = created, updated
    job.unchanged = len(result.files) - created - updated
    job.processed = job.total
    job.rows_enc = ""  # the phones and ID numbers leave the job once imported
    job.save()
    return job
