"""Writes on a renovating unit: patrols, violations and their close, the final acceptance, the
deposit's refund (through fees.deposit_refund) and the reminder of units not patrolled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate.errors import DomainError
from estate.localtime import today
from estate.models import Estate, Role, Unit
from estate.scoping import require
from estate.services import notify_roles, unit_status_set
from estate.validators import clean_text
from fees.services import deposit_refund
from fees.services.ledger import next_number
from renovation import roles, selectors, workflow
from renovation.models import (
    Acceptance,
    Application,
    ApplicationEvent,
    Inspection,
    RenovationPolicy,
    Violation,
    ViolationType,
)
from renovation.services.applications import _lock, policy_for
from repairs.models import Ticket
from repairs.photos import clean_photo

S = Application.Status
MAX_PAST = dt.timedelta(days=30)
MAX_FUTURE = dt.timedelta(minutes=10)

# The acceptance checklist (验收): item -> label shown on the form (in the page's language).
ACCEPTANCE_ITEMS = {
    "structure": gettext_lazy("Load-bearing structure unchanged"),
    "facade": gettext_lazy("Facade, doors and windows unchanged"),
    "plumbing": gettext_lazy("Water supply, drainage and waterproofing intact"),
    "electrical": gettext_lazy("Electrical wiring safe"),
    "fire": gettext_lazy("Fire safety equipment intact"),
    "common_areas": gettext_lazy("Common areas cleaned, no rubbish left"),
}


def _moment(value, *, field: str, now: dt.datetime, floor: dt.datetime | None = None):
    """An aware time, not in the future and not too long ago (or before ``floor``)."""
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise DomainError("invalid", _("Give a time with its time zone."), field=field)
    if value > now + MAX_FUTURE:
        raise DomainError("invalid", _("This time is in the future."), field=field)
    if value < now - MAX_PAST or (floor is not None and value < floor):
        raise DomainError("invalid", _("This time is too far in the past."), field=field)
    return value


def _violation_type(estate: Estate, code) -> ViolationType:
    policy_for(estate)
    found = ViolationType.objects.filter(estate=estate, code=str(code or "")).first()
    if found is None:
        raise DomainError("invalid", _("Unknown kind of violation."), field="type")
    return found


@transaction.atomic
def inspection_record(
    *, application: Application, notes: str, by, at=None, photo=None, violations=()
) -> Inspection:
    """A patrol (巡查) of a renovating unit, with any violations seen (each a dict with
    ``type`` and ``description``), recorded with source ``inspection``."""
    app = _lock(application)
    workflow.check(app, "inspect", by)
    now = timezone.now()
    at = _moment(at, field="at", now=now, floor=app.started_at)
    notes = clean_text(notes, field="notes", max_length=1000, required=True)
    cleaned = clean_photo(photo) if photo else None
    found = [
        (_violation_type(app.estate, v.get("type")), _description(v.get("description")))
        for v in violations
    ]
    inspection = Inspection.objects.create(
        estate=app.estate,
        application=app,
        at=at,
        by=by,
        notes=notes,
        photo=cleaned.content if cleaned else "",
    )
    if app.last_inspected_at is None or at > app.last_inspected_at:
        app.last_inspected_at = at
        app.save(update_fields=["last_inspected_at", "updated_at"])
    for vtype, description in found:
        _violation_create(
            app,
            source=Violation.Source.INSPECTION,
            vtype=vtype,
            description=description,
            found_at=at,
            by=by,
            inspection=inspection,
        )
    return inspection


def _description(value) -> str:
    return clean_text(value, field="description", max_length=1000, required=True)


def _violation_create(app, *, source, vtype, description, found_at, by, **links) -> Violation:
    estate = app.estate
    return Violation.objects.create(
        estate=estate,
        application=app,
        number=next_number(estate, "WZ", today(estate, now=found_at).year),
        source=source,
        type=vtype,
        description=description,
        found_at=found_at,
        found_by=by,
        rectify_due_at=found_at + dt.timedelta(days=vtype.rectify_days),
        **links,
    )


@transaction.atomic
def violation_record(
    *, application: Application, source: str, type: str, description: str, by, found_at=None
) -> Violation:
    """A violation (违章) found on a renovating unit. Its deadline is the type's days to
    rectify from when it was found (editable with ``violation_deadline_set``)."""
    app = _lock(application)
    workflow.check(app, "report_violation", by)
    if source not in Violation.Source.values:
        raise DomainError("invalid", _("Unknown source."), field="source")
    now = timezone.now()
    found_at = _moment(found_at, field="found_at", now=now)
    return _violation_create(
        app,
        source=source,
        vtype=_violation_type(app.estate, type),
        description=_description(description),
        found_at=found_at,
        by=by,
    )


@transaction.atomic
def violation_report_from_resident(
    *,
    application: Application,
    type: str,
    description: str,
    by,
    ticket: Ticket | None = None,
    found_at=None,
) -> Violation:
    """A resident's report of a violation (source ``resident_report``), recorded by staff,
    optionally from the complaint ticket that brought it (which must be of the same estate).
    ``by=None`` is the resident's own complaint through the web form (the ticket, logged
    without a staff member, is required): nobody found it, the ticket is the record."""
    if ticket is not None and ticket.estate_id != application.estate_id:
        raise DomainError("invalid", _("Unknown ticket."), field="ticket")
    if by is None:
        if ticket is None or ticket.created_by_id is not None:
            raise DomainError("forbidden", _("Your role does not allow this."), status=403)
        app = _lock(application)
        if workflow.transition_for(app, "report_violation") is None:
            raise workflow.refusal(app, "report_violation", by)
        return _violation_create(
            app,
            source=Violation.Source.RESIDENT_REPORT,
            vtype=_violation_type(app.estate, type),
            description=_description(description[:1000]),
            found_at=ticket.reported_at,
            by=None,
            ticket=ticket,
        )
    violation = violation_record(
        application=application,
        source=Violation.Source.RESIDENT_REPORT,
        type=type,
        description=description,
        by=by,
        found_at=found_at or (ticket.reported_at if ticket is not None else None),
    )
    if ticket is not None:
        violation.ticket = ticket
        violation.save(update_fields=["ticket"])
    return violation


def _lock_violation(violation: Violation) -> Violation:
    return (
        Violation.objects.select_for_update(of=("self",))
        .select_related("application", "estate")
        .get(pk=violation.pk)
    )


def _open(violation: Violation) -> None:
    if violation.closed_at is not None:
        raise DomainError(
            "invalid_transition",
            _("Violation %(n)s is already closed.") % {"n": violation.number},
            field="status",
        )


@transaction.atomic
def violation_deadline_set(*, violation: Violation, due_at: dt.datetime, by) -> Violation:
    """Move an open violation's deadline (e.g. the owner needs longer for a large change)."""
    require(by, violation.estate_id, roles.INSPECT)
    violation = _lock_violation(violation)
    _open(violation)
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        raise DomainError("invalid", _("Give a time with its time zone."), field="rectify_due_at")
    if due_at < violation.found_at:
        raise DomainError(
            "invalid", _("The deadline cannot be before it was found."), field="rectify_due_at"
        )
    violation.rectify_due_at = due_at
    violation.save(update_fields=["rectify_due_at"])
    return violation


@transaction.atomic
def violation_close_rectified(
    *, violation: Violation, evidence: str, by, rectified_at=None, photo=None
) -> Violation:
    """Close a violation as rectified (整改完成), with when and the evidence."""
    require(by, violation.estate_id, roles.INSPECT)
    violation = _lock_violation(violation)
    _open(violation)
    now = timezone.now()
    rectified_at = _moment(rectified_at, field="rectified_at", now=now)
    if rectified_at < violation.found_at:
        raise DomainError(
            "invalid", _("It cannot be rectified before it was found."), field="rectified_at"
        )
    violation.evidence = clean_text(evidence, field="evidence", max_length=1000, required=True)
    if photo:
        violation.evidence_photo = clean_photo(photo).content
    violation.outcome = Violation.Outcome.RECTIFIED
    violation.rectified_at = rectified_at
    violation.closed_at = now
    violation.closed_by = by
    violation.save()
    return violation


def _money(value, field: str) -> Decimal:
    """Yuan with at most 2 decimals, 0 or more, below a billion (``1e400`` is refused)."""
    refused = DomainError("invalid", _("Enter an amount in yuan."), field=field)
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or not 0 <= amount < Decimal("1e9"):
            raise refused
        if amount != amount.quantize(Decimal("0.01")):
            raise refused
    except (InvalidOperation, ValueError):
        raise refused from None
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def violation_close_not_rectified(*, violation: Violation, penalty, reason: str, by) -> Violation:
    """Close a violation as not rectified: the manager's decision, with the part of the deposit
    withheld (possibly 0, at most what is left of the deposit) and why."""
    require(by, violation.estate_id, roles.REVIEW)
    violation = _lock_violation(violation)
    _open(violation)
    app = _lock(violation.application)
    penalty = _money(penalty, "penalty")
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    deposit = app.deposit_bill.amount_due if app.deposit_bill else Decimal("0")
    withheld = app.violations.aggregate(s=Sum("penalty"))["s"] or Decimal("0")
    if penalty > deposit - withheld:
        raise DomainError(
            "invalid",
            _("At most %(n)s yuan of the deposit is left to withhold.") % {"n": deposit - withheld},
            field="penalty",
        )
    violation.outcome = Violation.Outcome.NOT_RECTIFIED
    violation.penalty = penalty
    violation.close_reason = reason
    violation.closed_at = timezone.now()
    violation.closed_by = by
    violation.save()
    return violation


def _checklist(values: dict) -> dict:
    unknown = set(values) - set(ACCEPTANCE_ITEMS)
    if unknown:
        raise DomainError("invalid", _("Unknown checklist item."), field="checklist")
    return {item: bool(values.get(item)) for item in ACCEPTANCE_ITEMS}


@transaction.atomic
def acceptance_record(
    *, application: Application, checklist: dict, by, notes: str = "", violations=()
) -> Acceptance:
    """The final inspection (验收). Violations found are recorded with source ``acceptance``.
    It passes when every checklist item is ticked and no violation is open: the application
    is then accepted and the unit returns from renovating to occupied."""
    app = _lock(application)
    workflow.check(app, "report_violation", by)
    items = _checklist(checklist or {})
    notes = clean_text(notes, field="notes", max_length=1000)
    found = [
        (_violation_type(app.estate, v.get("type")), _description(v.get("description")))
        for v in violations
    ]
    now = timezone.now()
    acceptance = Acceptance.objects.create(
        estate=app.estate,
        application=app,
        at=now,
        by=by,
        checklist=items,
        passed=False,
        notes=notes,
    )
    for vtype, description in found:
        _violation_create(
            app,
            source=Violation.Source.ACCEPTANCE,
            vtype=vtype,
            description=description,
            found_at=now,
            by=by,
            acceptance=acceptance,
        )
    if all(items.values()) and workflow.can(app, "accept", by):
        acceptance.passed = True
        acceptance.save(update_fields=["passed"])
        old = app.status
        app.status = S.ACCEPTED
        app.accepted_at = now
        app.save(update_fields=["status", "accepted_at", "updated_at"])
        unit_status_set(unit=app.unit, status=Unit.Status.OCCUPIED)
        ApplicationEvent.objects.create(
            application=app, action="accept", from_status=old, to_status=app.status, by=by, at=now
        )
    return acceptance


@transaction.atomic
def application_deposit_refund(*, application: Application, by, note: str = ""):
    """Refund the deposit of an accepted application through fees.deposit_refund: the paid
    deposit minus what its violations withheld, with the reason recorded. Closes it."""
    app = _lock(application)
    workflow.check(app, "refund", by)
    rows = list(app.violations.filter(penalty__gt=0).values_list("number", "penalty"))
    penalty = sum((p for _n, p in rows), Decimal("0.00"))
    bill = app.deposit_bill
    reason = "; ".join(f"{n} {p}" for n, p in rows)
    if rows:
        reason = _("Withheld for violations not rectified: %(v)s") % {"v": reason}
    note = clean_text(note, field="note", max_length=100)
    reason = (f"{reason} {note}".strip())[:200]
    refund = deposit_refund(
        bill=bill, amount=max(bill.amount_paid - penalty, Decimal("0.00")), reason=reason, by=by
    )
    old = app.status
    app.status = S.CLOSED
    app.save(update_fields=["status", "updated_at"])
    ApplicationEvent.objects.create(
        application=app,
        action="refund",
        from_status=old,
        to_status=app.status,
        by=by,
        at=timezone.now(),
        comment=reason[:500],
    )
    return refund


def inspections_due_notify(*, now: dt.datetime | None = None) -> int:
    """Tell each estate's desk and managers which renovating units were not patrolled for N
    days (per estate, default 7). Once a day per estate: a second run the same day sends
    nothing. Returns how many notices were made."""
    from estate.models import Notification

    now = now or timezone.now()
    sent = 0
    estate_ids = Application.objects.filter(status=S.RENOVATING).values("estate_id").distinct()
    for estate in Estate.objects.filter(pk__in=estate_ids):
        every = (
            RenovationPolicy.objects.filter(estate=estate)
            .values_list("inspect_every_days", flat=True)
            .first()
        ) or 7
        units = list(
            selectors.uninspected(estate=estate, now=now, every_days=every)
            .select_related("unit")
            .order_by("unit__number")
            .values_list("unit__number", flat=True)[:50]
        )
        if not units:
            continue
        day = today(estate, now=now).isoformat()
        link = f"{reverse('renovation:board')}?estate={estate.code}&uninspected=1&day={day}"
        if Notification.objects.filter(estate=estate, link=link).exists():
            continue
        title = _("%(n)d renovating units not patrolled for %(d)d days") % {
            "n": len(units),
            "d": every,
        }
        sent += notify_roles(
            estate=estate,
            roles=[Role.FRONT_DESK, Role.MANAGER, Role.ADMIN],
            title=title,
            body=", ".join(units),
            link=link,
        )
    return sent
