"""The periodic bill generation (bills of an estate and month, and of every estate due now),
and the billing calendar it follows. The fee catalogue is in ``catalogue``, meter readings in
``meters``."""

import datetime as dt
import io
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from estate import localtime
from estate.kpi import Period
from estate.models import Estate, Unit
from fees.models import (
    Bill,
    BillingRun,
    FeeAssignment,
    FeeItem,
    MeterReading,
    UnitAccount,
)
from fees.services.ledger import credit_consume, lock_account, money

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


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def due_date_for(item: FeeItem, period_end: dt.date) -> dt.date:
    """The item's due rule: ``due_day`` of the month after the period, moved by
    ``due_month_offset`` months."""
    return add_months(period_end, item.due_month_offset).replace(day=item.due_day)


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
        label = f"{localtime.local(now, estate):%Y-%m}"
        created += bills_generate(estate=estate, period_label=label, now=now)
    return created
