"""Writes of an application: rules and types on first use, create and edit with their checks,
drawings, and the steps of the workflow table (approve issues the deposit through fees; start
needs it paid and marks the unit renovating)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from estate.errors import DomainError
from estate.localtime import today
from estate.models import Estate, Unit
from estate.scoping import require
from estate.services import unit_status_set
from estate.validators import clean_text, normalize_mobile
from fees.models import OneOffKind
from fees.services import bill_one_off_create
from fees.services.ledger import next_number
from renovation import defaults, roles, workflow
from renovation.models import (
    Application,
    ApplicationEvent,
    Drawing,
    RenovationPolicy,
    ViolationType,
    WorkType,
)
from residents.models import Occupancy, Resident

S = Application.Status
DRAWING_MAX_BYTES = 10 * 1024 * 1024
MAX_DRAWINGS = 10
MAX_WORKERS = 200


def policy_for(estate: Estate) -> RenovationPolicy:
    """The estate's rules, and its work and violation types, made with the defaults when
    missing (idempotent: concurrent first uses make one set). One read once they exist."""
    policy = RenovationPolicy.objects.filter(estate=estate).first()
    if policy is not None:
        return policy
    RenovationPolicy.objects.bulk_create([RenovationPolicy(estate=estate)], ignore_conflicts=True)
    if not WorkType.objects.filter(estate=estate).exists():
        WorkType.objects.bulk_create(
            [
                WorkType(estate=estate, code=code, name=name, routine=routine, order=i)
                for i, (code, name, routine) in enumerate(defaults.WORK_TYPES)
            ],
            ignore_conflicts=True,
        )
        ViolationType.objects.bulk_create(
            [
                ViolationType(estate=estate, code=code, name=name, rectify_days=days, order=i)
                for i, (code, name, days) in enumerate(defaults.VIOLATION_TYPES)
            ],
            ignore_conflicts=True,
        )
    return RenovationPolicy.objects.get(estate=estate)


def _unit(estate: Estate, unit) -> Unit:
    try:
        pk = int(unit.pk if isinstance(unit, Unit) else unit)
        found = Unit.objects.get(pk=pk)
    except (TypeError, ValueError, Unit.DoesNotExist):
        raise DomainError("invalid", _("Unknown unit."), field="unit") from None
    if found.estate_id != estate.pk:
        raise DomainError("invalid", _("This unit belongs to another estate."), field="unit")
    return found


def _work_types(estate: Estate, codes) -> list[WorkType]:
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    if not codes:
        raise DomainError("invalid", _("Tick at least one kind of work."), field="work_types")
    found = {w.code: w for w in WorkType.objects.filter(estate=estate, code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(
            "invalid",
            _("Unknown kind of work: %(c)s.") % {"c": ", ".join(unknown[:5])[:100]},
            field="work_types",
        )
    return list(dict.fromkeys(found[c] for c in codes))


def _dates(policy: RenovationPolicy, start, end, *, now: dt.datetime) -> tuple[dt.date, dt.date]:
    for value, field in ((start, "start_date"), (end, "end_date")):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise DomainError("invalid", _("Enter a date."), field=field)
    if end < start:
        raise DomainError(
            "invalid", _("The end date cannot be before the start date."), field="end_date"
        )
    if start < today(policy.estate, now=now) - dt.timedelta(days=30):
        raise DomainError(
            "invalid", _("The start date is too far in the past."), field="start_date"
        )
    if start > today(policy.estate, now=now) + dt.timedelta(days=366):
        raise DomainError(
            "invalid", _("The start date is more than a year ahead."), field="start_date"
        )
    if (end - start).days + 1 > policy.max_days:
        raise DomainError(
            "invalid",
            _("This estate allows at most %(n)d days of works.") % {"n": policy.max_days},
            field="end_date",
        )
    return start, end


def _owner(unit: Unit) -> Resident | None:
    occupancy = (
        Occupancy.objects.filter(unit=unit, ended_on__isnull=True, resident__kind="owner")
        .select_related("resident")
        .order_by("-is_primary", "id")
        .first()
    )
    return occupancy.resident if occupancy else None


def _fields(estate: Estate, data: dict, *, now: dt.datetime) -> dict:
    """Every field checked before anything is written (a refusal names its field)."""
    policy = policy_for(estate)
    unit = _unit(estate, data.get("unit"))
    owner = _owner(unit)
    owner_name = clean_text(data.get("owner_name"), field="owner_name", max_length=50)
    if not owner_name and owner is None:
        raise DomainError("invalid", _("This field is required."), field="owner_name")
    try:
        workers = int(data.get("workers") or 0)
    except (TypeError, ValueError):
        workers = 0
    if not 1 <= workers <= MAX_WORKERS:
        raise DomainError(
            "invalid",
            _("Give between 1 and %(n)d workers.") % {"n": MAX_WORKERS},
            field="workers",
        )
    types = _work_types(estate, data.get("work_types"))
    start, end = _dates(policy, data.get("start_date"), data.get("end_date"), now=now)
    return {
        "unit": unit,
        "owner": owner,
        "owner_name": owner_name or owner.name,
        "contractor": clean_text(
            data.get("contractor"), field="contractor", max_length=100, required=True
        ),
        "contractor_person": clean_text(
            data.get("contractor_person"), field="contractor_person", max_length=50, required=True
        ),
        "contractor_phone": normalize_mobile(
            data.get("contractor_phone"), field="contractor_phone"
        ),
        "workers": workers,
        "description": clean_text(data.get("description"), field="description", max_length=2000),
        "start_date": start,
        "end_date": end,
        "work_types": types,
        "non_routine": any(not t.routine for t in types),
    }


def clean_drawing(upload) -> tuple[ContentFile, str, int]:
    """A PDF (``%PDF-`` header) or an image Pillow can read, at most 10 MB."""
    size = getattr(upload, "size", None)
    too_big = DomainError("invalid", _("A drawing may be at most 10 MB."), field="drawings")
    if size is not None and size > DRAWING_MAX_BYTES:
        raise too_big
    upload.seek(0)
    data = upload.read(DRAWING_MAX_BYTES + 1)
    if len(data) > DRAWING_MAX_BYTES:
        raise too_big
    name = (getattr(upload, "name", "") or "drawing").rsplit("/", 1)[-1][-80:]
    if data.startswith(b"%PDF-"):
        return ContentFile(data, name="drawing.pdf"), name, len(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        fmt = ""
    if fmt not in {"jpeg", "png", "webp", "gif", "bmp", "tiff"}:
        raise DomainError("invalid", _("A drawing must be a PDF or an image."), field="drawings")
    return ContentFile(data, name=f"drawing.{'jpg' if fmt == 'jpeg' else fmt}"), name, len(data)


def _clean_drawings(uploads) -> list[tuple[ContentFile, str, int]]:
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_DRAWINGS:
        raise DomainError(
            "invalid", _("At most %(n)d drawings.") % {"n": MAX_DRAWINGS}, field="drawings"
        )
    return [clean_drawing(u) for u in uploads]


def _save_drawings(app: Application, cleaned) -> None:
    for content, name, size in cleaned:
        kind = "pdf" if content.name.endswith(".pdf") else "image"
        Drawing.objects.create(application=app, file=content, name=name, kind=kind, size=size)


def _event(app: Application, action: str, *, by, at, old: str = "", comment: str = ""):
    ApplicationEvent.objects.create(
        application=app,
        action=action,
        from_status=old,
        to_status=app.status if old else "",
        by=by,
        at=at,
        comment=comment,
    )


@transaction.atomic
def application_create(*, estate: Estate, data: dict, drawings=(), by) -> Application:
    """A new application (装修申请), submitted for the front desk's check. ``data`` holds the
    form's fields (unit, owner_name, contractor, contractor_person, contractor_phone, workers,
    work_types as codes, start_date, end_date, description)."""
    require(by, estate, roles.APPLY)
    now = timezone.now()
    fields = _fields(estate, data, now=now)
    cleaned = _clean_drawings(drawings)
    types = fields.pop("work_types")
    app = Application.objects.create(
        estate=estate,
        number=next_number(estate, "ZX", today(estate, now=now).year),
        created_by=by,
        **fields,
    )
    app.work_types.set(types)
    _save_drawings(app, cleaned)
    _event(app, "submit", by=by, at=now)
    return app


def _lock(app: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "deposit_bill")
        .get(pk=app.pk)
    )


@transaction.atomic
def application_update(*, application: Application, data: dict, drawings=(), by) -> Application:
    """Change an application still open to changes (submitted, returned or rejected)."""
    app = _lock(application)
    workflow.check(app, "edit", by)
    now = timezone.now()
    fields = _fields(app.estate, data, now=now)
    cleaned = _clean_drawings(drawings)
    app.work_types.set(fields.pop("work_types"))
    for name, value in fields.items():
        setattr(app, name, value)
    app.save()
    _save_drawings(app, cleaned)
    _event(app, "edit", by=by, at=now)
    return app


@transaction.atomic
def drawing_add(*, application: Application, upload, by) -> Drawing:
    """Attach one more drawing to an application open to changes."""
    app = _lock(application)
    workflow.check(app, "edit", by)
    if app.drawings.count() >= MAX_DRAWINGS:
        raise DomainError(
            "invalid", _("At most %(n)d drawings.") % {"n": MAX_DRAWINGS}, field="drawings"
        )
    content, name, size = clean_drawing(upload)
    kind = "pdf" if content.name.endswith(".pdf") else "image"
    return Drawing.objects.create(application=app, file=content, name=name, kind=kind, size=size)


def _issue_bills(app: Application, *, by) -> None:
    """The deposit (装修押金) and any management charge, through fees (idempotent on the
    application's number)."""
    policy = policy_for(app.estate)
    app.deposit_bill = bill_one_off_create(
        estate=app.estate,
        unit=app.unit,
        amount=policy.deposit,
        kind=OneOffKind.RENOVATION_DEPOSIT,
        description=_("Renovation deposit %(n)s") % {"n": app.number},
        source_ref=app.number,
        by=by,
    )
    if policy.management_fee > Decimal("0"):
        app.fee_bill = bill_one_off_create(
            estate=app.estate,
            unit=app.unit,
            amount=policy.management_fee,
            kind=OneOffKind.OTHER,
            description=_("Renovation management charge %(n)s") % {"n": app.number},
            source_ref=f"{app.number}-GL",
            by=by,
        )


@transaction.atomic
def application_transition(
    *, application: Application, action: str, by, comment: str = ""
) -> Application:
    """One step of the workflow table (check, approve, return, reject, resubmit, cancel, start).
    Returning and rejecting need a comment, which the applicant sees when editing."""
    if action not in workflow.STEPS:
        raise DomainError("invalid", _("Unknown action %(a)s.") % {"a": action}, field="action")
    app = _lock(application)
    row = workflow.check(app, action, by)
    comment = clean_text(comment, field="comment", max_length=500)
    if action in ("return", "reject") and not comment:
        raise DomainError("invalid", _("Say what must change, or why."), field="comment")
    now = timezone.now()
    old = app.status
    app.status = row.target
    if action in ("return", "reject"):
        app.review_comment = comment
    if action == "check":
        app.checked_by = by
    if action == "resubmit":
        app.checked_by = None
    if action == "approve":
        app.approved_at = now
        _issue_bills(app, by=by)
    if action == "start":
        app.started_at = now
        unit_status_set(unit=app.unit, status=Unit.Status.RENOVATING)
    app.save()
    _event(app, action, by=by, at=now, old=old, comment=comment)
    return app
