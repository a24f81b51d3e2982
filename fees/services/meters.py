"""Every write of meter readings: one reading, or a batch (a page of the sheet, an imported
spreadsheet) saved all or none, with a dry run."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Estate, Unit
from estate.scoping import require
from fees import permissions as perm
from fees.models import (
    Bill,
    FeeItem,
    MeterReading,
)
from fees.services.ledger import clean_amount


def _clean_reading(value, *, field: str = "reading") -> Decimal:
    return clean_amount(value, field=field, allow_zero=True)


@transaction.atomic
def meter_reading_record(
    *,
    unit: Unit,
    fee_item: FeeItem,
    period_label: str,
    reading,
    by,
    read_at: dt.datetime | None = None,
) -> MeterReading:
    """The meter of a unit read at the end of a period (抄表). A reading may be corrected until
    its bill exists; after that the bill must be voided and reissued instead."""
    require(by, unit.estate_id, perm.METER_READING_RECORD)
    if fee_item.estate_id != unit.estate_id:
        raise DomainError(
            "invalid", _("This fee item belongs to another estate."), field="fee_item"
        )
    if fee_item.basis != FeeItem.Basis.METERED:
        raise DomainError("invalid", _("This fee item has no meter."), field="fee_item")
    Period.month(unit.estate.tz, period_label)
    reading = _clean_reading(reading)
    previous = (
        MeterReading.objects.filter(unit=unit, fee_item=fee_item, period__lt=period_label)
        .order_by("-period")
        .values_list("reading", flat=True)
        .first()
    ) or Decimal("0.00")
    if reading < previous:
        raise DomainError(
            "invalid",
            _("The reading is below the previous one (%(p)s).") % {"p": previous},
            field="reading",
        )
    if Bill.objects.filter(
        unit=unit, fee_item=fee_item, period=period_label, reissue_of__isnull=True, source_ref=""
    ).exists():
        raise DomainError(
            "conflict",
            _("This period is already billed; void and reissue the bill instead."),
            field="reading",
        )
    record, _created = MeterReading.objects.update_or_create(
        unit=unit,
        fee_item=fee_item,
        period=period_label,
        defaults={
            "estate_id": unit.estate_id,
            "previous": previous,
            "reading": reading,
            "read_at": read_at or timezone.now(),
            "created_by": by,
        },
    )
    return record


@dataclass
class ImportResult:
    """What a batch of meter readings did, or would do on a dry run."""

    saved: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, unit, field, msg
    dry_run: bool = False
    # The rows that passed, as recorded (kept after a rollback too, for the dry run's preview).
    readings: list[MeterReading] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def meter_readings_import(
    *,
    estate: Estate,
    fee_item: FeeItem,
    period_label: str,
    rows: list[tuple[str, object]],
    by,
    dry_run: bool = False,
) -> ImportResult:
    """Record a batch of ``(unit number, reading)`` rows, all or nothing: any error saves no
    row, and a dry run checks every row and saves none. Row numbers in errors start at 1."""
    require(by, estate, perm.METER_READING_RECORD)
    if fee_item.estate_id != estate.pk:
        raise DomainError(
            "invalid", _("This fee item belongs to another estate."), field="fee_item"
        )
    Period.month(estate.tz, period_label)
    units = {
        u.number: u
        for u in Unit.objects.filter(
            estate=estate, number__in=[str(n).strip() for n, _v in rows]
        ).select_related("estate")
    }
    result = ImportResult(dry_run=dry_run)
    seen: set[str] = set()
    with transaction.atomic():
        for i, (number, value) in enumerate(rows, start=1):
            number = str(number or "").strip()
            unit = units.get(number)
            if unit is None:
                result.errors.append((i, number, "unit", _("Unknown unit.")))
                continue
            if number in seen:
                result.errors.append((i, number, "unit", _("This unit is listed twice.")))
                continue
            seen.add(number)
            try:
                with transaction.atomic():
                    record = meter_reading_record(
                        unit=unit,
                        fee_item=fee_item,
                        period_label=period_label,
                        reading=value,
                        by=by,
                    )
                result.saved += 1
                result.readings.append(record)
            except DomainError as exc:
                result.errors.append((i, number, exc.field or "", exc.message))
        if dry_run or result.errors:
            transaction.set_rollback(True)
            if result.errors:
                result.saved = 0
    return result
