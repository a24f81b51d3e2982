"""Every write that makes bills: fee items and prices, assignments, meter readings, and the
periodic bill generation."""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Estate, Unit
from estate.scoping import require
from estate.validators import clean_text
from fees import permissions as perm
from fees.models import (
    Bill,
    BillingRun,
    FeeAssignment,
    FeeItem,
    FeePrice,
    MeterReading,
    UnitAccount,
)
from fees.services.ledger import clean_amount, credit_consume, lock_account, money

CYCLE_MONTHS = {
    FeeItem.Cycle.MONTHLY: 1,
    FeeItem.Cycle.QUARTERLY: 3,
    FeeItem.Cycle.YEARLY: 12,
}
PERIODIC = [
    FeeItem.Basis.PER_AREA,
    FeeItem.Basis.PER_SPACE,
    FeeItem.Basis.FIXED,
    FeeItem.Basis.METERED,
]
PRICE_PLACES = Decimal("0.0001")


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def due_date_for(item: FeeItem, period_end: dt.date) -> dt.date:
    """The item's due rule: ``due_day`` of the month after the period, moved by
    ``due_month_offset`` months."""
    return add_months(period_end, item.due_month_offset).replace(day=item.due_day)


def _clean_price(value) -> Decimal:
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise DomainError("invalid", _("Enter a price, e.g. 2.50."), field="price") from None
    if not price.is_finite() or price < 0:
        raise DomainError("invalid", _("A price cannot be negative."), field="price")
    if price != price.quantize(PRICE_PLACES) or price >= Decimal("100000000"):
        raise DomainError("invalid", _("A price has at most 4 decimals."), field="price")
    return price


@transaction.atomic
def fee_item_create(
    *,
    estate: Estate,
    code: str,
    name: str,
    basis: str,
    price=None,
    valid_from: dt.date | None = None,
    cycle: str = FeeItem.Cycle.MONTHLY,
    cycle_start_month: int = 1,
    due_day: int = 15,
    due_month_offset: int = 0,
    unit_label: str = "",
    late_fee_daily_rate: Decimal | None = None,
    late_fee_cap_rate: Decimal | None = None,
    by=None,
) -> FeeItem:
    """A fee item of the estate, with its first price when one is given."""
    if by is not None:
        require(by, estate, perm.FEE_ITEM_MANAGE)
    code = clean_text(code, field="code", max_length=32, required=True)
    if not code.replace("_", "").isalnum() or not code.isascii():
        raise DomainError("invalid", _("Letters, digits and _ only."), field="code")
    if basis not in FeeItem.Basis.values:
        raise DomainError("invalid", _("Unknown basis."), field="basis")
    if cycle not in FeeItem.Cycle.values:
        raise DomainError("invalid", _("Unknown billing cycle."), field="cycle")
    if not 1 <= due_day <= 28:
        raise DomainError("invalid", _("The due day is 1 to 28."), field="due_day")
    if not 1 <= cycle_start_month <= 12:
        raise DomainError("invalid", _("A month is 1 to 12."), field="cycle_start_month")
    if not -12 <= due_month_offset <= 12:
        raise DomainError("invalid", _("At most 12 months."), field="due_month_offset")
    for name_, rate in (
        ("late_fee_daily_rate", late_fee_daily_rate),
        ("late_fee_cap_rate", late_fee_cap_rate),
    ):
        if rate is not None and Decimal(rate) < 0:
            raise DomainError("invalid", _("A rate cannot be negative."), field=name_)
    if FeeItem.objects.filter(estate=estate, code=code).exists():
        raise DomainError("conflict", _("This code is already used."), field="code")
    item = FeeItem.objects.create(
        estate=estate,
        code=code,
        name=clean_text(name, field="name", max_length=50, required=True),
        basis=basis,
        cycle=cycle,
        cycle_start_month=cycle_start_month,
        due_day=due_day,
        due_month_offset=due_month_offset,
        unit_label=clean_text(unit_label, field="unit_label", max_length=16),
        late_fee_daily_rate=late_fee_daily_rate,
        late_fee_cap_rate=late_fee_cap_rate,
    )
    if price is not None:
        if valid_from is None:
            raise DomainError("invalid", _("Say from when the price is valid."), field="valid_from")
        fee_price_set(fee_item=item, price=price, valid_from=valid_from)
    return item


@transaction.atomic
def fee_price_set(*, fee_item: FeeItem, price, valid_from: dt.date, by=None) -> FeePrice:
    """A new price from ``valid_from``; the current price ends there. Prices are never
    rewritten, so the new one must start after the latest one starts."""
    if by is not None:
        require(by, fee_item.estate_id, perm.FEE_ITEM_MANAGE)
    price = _clean_price(price)
    FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    latest = fee_item.prices.order_by("-valid_from").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise DomainError(
            "invalid",
            _("A new price must start after %(d)s, when the latest one starts.")
            % {"d": latest.valid_from},
            field="valid_from",
        )
    if latest is not None and (latest.valid_to is None or latest.valid_to > valid_from):
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
    return FeePrice.objects.create(
        estate_id=fee_item.estate_id, fee_item=fee_item, price=price, valid_from=valid_from
    )


@transaction.atomic
def fee_assignment_set(
    *, unit: Unit, fee_item: FeeItem, quantity, starts_on: dt.date, by=None
) -> FeeAssignment:
    """Charge a unit a per-space item (e.g. its parking spaces) from ``starts_on``."""
    if by is not None:
        require(by, unit.estate_id, perm.FEE_ITEM_MANAGE)
    if fee_item.estate_id != unit.estate_id:
        raise DomainError(
            "invalid", _("This fee item belongs to another estate."), field="fee_item"
        )
    quantity = clean_amount(quantity, field="quantity")
    FeeAssignment.objects.filter(
        unit=unit, fee_item=fee_item, ends_on__isnull=True, starts_on__lt=starts_on
    ).update(ends_on=starts_on)
    assignment, _created = FeeAssignment.objects.update_or_create(
        unit=unit,
        fee_item=fee_item,
        starts_on=starts_on,
        defaults={"estate_id": unit.estate_id, "quantity": quantity, "ends_on": None},
    )
    return assignment


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


def _price_at(item: FeeItem, day: dt.date) -> Decimal | None:
    return (
        item.prices.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .values_list("price", flat=True)
        .first()
    )


def _cycle_starts(item: FeeItem, month: int) -> bool:
    return (month - item.cycle_start_month) % CYCLE_MONTHS[item.cycle] == 0


def _quantities(item: FeeItem, estate: Estate, period: Period) -> list[tuple[int, str, Decimal]]:
    """(unit id, unit number, quantity) of every unit the item bills for the period."""
    if item.basis == FeeItem.Basis.METERED:
        return [
            (uid, number, reading - previous)
            for uid, number, reading, previous in MeterReading.objects.filter(
                fee_item=item, period=period.label
            )
            .order_by()
            .values_list("unit_id", "unit__number", "reading", "previous")
        ]
    if item.basis == FeeItem.Basis.PER_SPACE:
        day = period.start_date
        return list(
            FeeAssignment.objects.filter(fee_item=item, starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
            .order_by()
            .values_list("unit_id", "unit__number", "quantity")
        )
    units = Unit.objects.filter(estate=estate).exclude(status=Unit.Status.UNSOLD).order_by()
    if item.basis == FeeItem.Basis.PER_AREA:
        return list(units.values_list("id", "number", "floor_area"))
    return [(uid, number, Decimal("1.00")) for uid, number in units.values_list("id", "number")]


def _billed_units(item: FeeItem, period: Period) -> set[int]:
    """Units that already have this item's bill for the period. Two plain index scans and a
    set are predictable whatever the planner's statistics (an anti-join is not, right after a
    mass insert)."""
    return set(
        Bill.objects.filter(
            fee_item=item, period=period.label, reissue_of__isnull=True, source_ref=""
        )
        .order_by()
        .values_list("unit_id", flat=True)
    )


_INSERT_DEFAULTS = {
    "amount_paid": Decimal("0.00"),
    "revision": 0,
    "source_ref": "",
    "description": "",
    "void_reason": "",
    "created_by_name": "",
    "voided_by_name": "",
}


def _copy_value(value) -> str:
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _bills_insert(rows: list[dict], *, now: dt.datetime) -> int:
    """Insert new bills, skipping any that exist (the unique constraints decide); returns how
    many were inserted. On PostgreSQL the rows are COPYed into a temporary table and moved
    with one INSERT ... ON CONFLICT DO NOTHING, without building model instances: this is
    what keeps a 150,000-unit month well under a minute."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        bills = [Bill(**row, updated_at=now) for row in rows]
        Bill.objects.bulk_create(bills, batch_size=2000, ignore_conflicts=True)
        return len(bills)
    fields = [*rows[0], *_INSERT_DEFAULTS, "updated_at"]
    extra = "\t".join(_copy_value(v) for v in [*_INSERT_DEFAULTS.values(), now])
    data = "".join(
        "\t".join([*(_copy_value(v) for v in row.values()), extra]) + "\n" for row in rows
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f) for f in fields)
    table = quote(Bill._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE fees_bill_load ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(f"COPY fees_bill_load ({columns}) FROM STDIN", io.StringIO(data))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM fees_bill_load "
            "ON CONFLICT DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE fees_bill_load")
    return inserted


@transaction.atomic
def bills_generate(*, estate: Estate, period_label: str, now: dt.datetime | None = None) -> int:
    """Issue the estate's bills for the period ``YYYY-MM``; returns how many were created.

    Idempotent: a bill exists once per (unit, fee item, period) — a unique constraint — and
    runs of one estate and period take turns on their BillingRun row, so a second or
    concurrent run creates nothing. Quarterly and yearly items bill in their cycle's months.
    Units with credit have it used on the new bills."""
    now = now or timezone.now()
    period = Period.month(estate.tz, period_label, now=now)
    BillingRun.objects.bulk_create(
        [BillingRun(estate=estate, period=period.label)], ignore_conflicts=True
    )
    run = BillingRun.objects.select_for_update().get(estate=estate, period=period.label)
    run.started_at = now
    created = 0
    items = FeeItem.objects.filter(estate=estate, is_active=True, basis__in=PERIODIC)
    for item in items.order_by("code"):
        if not _cycle_starts(item, period.start.month):
            continue
        price = _price_at(item, period.start_date)
        if price is None:
            continue
        months = CYCLE_MONTHS[item.cycle]
        factor = Decimal(1) if item.basis == FeeItem.Basis.METERED else Decimal(months)
        period_end = add_months(period.start_date, months)
        due = due_date_for(item, period_end)
        prefix = f"{estate.code}-{period.start:%Y%m}-{item.code}-"
        rows = []
        billed = _billed_units(item, period)
        for unit_id, number, quantity in _quantities(item, estate, period):
            if unit_id in billed:
                continue
            amount = money(price * quantity * factor)
            if amount <= 0:
                continue
            rows.append(
                {
                    "estate_id": estate.pk,
                    "unit_id": unit_id,
                    "fee_item_id": item.pk,
                    "number": prefix + number,
                    "period": period.label,
                    "period_start": period.start_date,
                    "period_end": period_end,
                    "quantity": quantity,
                    "unit_price": price,
                    "amount_due": amount,
                    "due_date": due,
                    "issued_at": now,
                }
            )
        created += _bills_insert(rows, now=now)
    if created:
        for account in UnitAccount.objects.filter(estate=estate, credit__gt=0).select_related(
            "unit"
        ):
            credit_consume(account=lock_account(account.unit), unit=account.unit, at=now)
    run.finished_at = timezone.now()
    run.bills_created += created
    run.save(update_fields=["started_at", "finished_at", "bills_created"])
    return created


def bills_generate_due(*, now: dt.datetime | None = None) -> int:
    """The monthly run: every estate's bills for its current local month."""
    now = now or timezone.now()
    created = 0
    for estate in Estate.objects.order_by("code"):
        label = f"{timezone.localtime(now, estate.tz):%Y-%m}"
        created += bills_generate(estate=estate, period_label=label, now=now)
    return created
