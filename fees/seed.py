"""Demo fees: a property fee for every sold unit and parking for some, billed every month of
the demo, paid on time, late, partly or not at all; a few bills voided and reissued, a few
over-payments kept as credit and used by the next bills, a few payments reversed and paid
again. Each unit is simulated month by month in memory, then everything is bulk-inserted,
keeping the ledger invariants of fees/models.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from estate.kpi import Period
from estate.models import Sequence, Unit
from estate.seeding import SeedContext, bulk_insert, new, register
from fees.models import (
    Allocation,
    Bill,
    BillingRun,
    FeeAssignment,
    FeeItem,
    FeePrice,
    FinanceSettings,
    Payment,
    Reminder,
    Reversal,
    UnitAccount,
)
from fees.services.billing import add_months, due_date_for
from fees.services.ledger import money

ZERO = Decimal("0.00")
METHODS = ["wechat", "alipay", "bank_transfer", "cash", "card"]
METHOD_WEIGHTS = [40, 20, 15, 15, 10]
VOID_REASONS = ["面积录入错误", "单价错误", "车位已退租，重复开单", "业主信息变更重开"]
REVERSE_REASONS = ["收款金额录错", "房号录错", "重复收款"]
_BATCH = 5000
DEMO_COMPANY = "恒源物业服务有限公司"


def _pick(rng, outcomes: dict[str, float]) -> str:
    return rng.choices(list(outcomes), weights=list(outcomes.values()))[0]


class _Estate:
    """One estate's simulation: everything is appended to in-memory lists."""

    def __init__(self, ctx: SeedContext, estate, periods: list[Period], out: dict):
        self.ctx, self.rng, self.estate, self.periods, self.out = ctx, ctx.rng, estate, periods, out
        self.tz = estate.tz
        self.staff = ctx.data["staff"][estate.pk]
        self.today = ctx.now.astimezone(self.tz).date()
        self.seq = defaultdict(int)  # document counters per name
        self.keys = 0

    # Reference data -----------------------------------------------------------------------
    def fee_items(self):
        first, middle = self.periods[0].start_date, self.periods[len(self.periods) // 2].start_date
        pm = FeeItem(
            estate=self.estate,
            code="PM",
            name="物业服务费",
            basis=FeeItem.Basis.PER_AREA,
            late_fee_daily_rate=Decimal("0.0005"),
            late_fee_cap_rate=Decimal("0.3000"),
        )
        park = FeeItem(
            estate=self.estate, code="PARK", name="车位管理费", basis=FeeItem.Basis.PER_SPACE
        )
        base = Decimal(self.rng.choice(["1.80", "2.00", "2.20", "2.50"]))
        self.prices = {
            "PM": [(add_months(first, -24), middle, base), (middle, None, base + Decimal("0.30"))],
            "PARK": [(add_months(first, -24), None, Decimal(self.rng.choice(["200", "300"])))],
        }
        for item in (pm, park):
            for start, end, price in self.prices[item.code]:
                self.out["prices"].append(
                    FeePrice(
                        estate=self.estate,
                        fee_item=item,
                        price=price,
                        valid_from=start,
                        valid_to=end,
                    )
                )
        return pm, park

    def price(self, code: str, day: dt.date) -> Decimal:
        return next(p for s, e, p in self.prices[code] if s <= day and (e is None or day < e))

    def number(self, prefix: str, year: int) -> str:
        name = f"{prefix}{year}"
        self.seq[name] += 1
        return f"{self.estate.code}-{name}-{self.seq[name]:06d}"

    def renumber(self, payments: list[Payment], reversals: list[tuple]) -> None:
        """Receipt and reversal numbers in the order the money was taken (the simulation runs
        unit by unit, so they are made out of order): as the services would have given them."""
        self.seq = defaultdict(int)
        for payment in sorted(payments, key=lambda p: p.received_at):
            payment.number = self.number("SJ", payment.received_at.astimezone(self.tz).year)
        for reversal, at in sorted(reversals, key=lambda pair: pair[1]):
            reversal.number = self.number("CZ", at.astimezone(self.tz).year)

    def at_local(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 17) if hour is None else hour
        moment = dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)
        return min(moment, self.ctx.now)

    # One unit's months --------------------------------------------------------------------
    def unit(self, unit: Unit, pm: FeeItem, park: FeeItem, spaces: int):
        rng, now = self.rng, self.ctx.now
        credit: list[list] = []  # [payment, unspent] oldest first
        for period in self.periods:
            issued = dt.datetime.combine(period.start_date, dt.time(2, 0), tzinfo=self.tz)
            if issued > now:
                continue
            bills = [self.bill(unit, pm, period, issued, unit.floor_area)]
            if spaces:
                bills.append(self.bill(unit, park, period, issued, Decimal(spaces)))
            earliest = issued
            if rng.random() < 0.03:
                bills[0], earliest = self.void(bills[0], reissue=True)
            elif spaces and rng.random() < 0.004:
                self.void(bills.pop(), reissue=False)
            credit = self.use_credit(credit, bills, issued)
            self.month(unit, bills, earliest, credit)

    def bill(self, unit, item, period: Period, issued, quantity) -> Bill:
        price = self.price(item.code, period.start_date)
        bill = new(
            Bill,
            estate=self.estate,
            unit=unit,
            fee_item=item,
            number=f"{self.estate.code}-{period.start:%Y%m}-{item.code}-{unit.number}",
            period=period.label,
            period_start=period.start_date,
            period_end=period.end_date,
            quantity=quantity,
            unit_price=price,
            amount_due=money(price * quantity),
            due_date=due_date_for(item, period.end_date),
            issued_at=issued,
            updated_at=issued,
        )
        self.out["bills"].append(bill)
        self.out["runs"].add(period.label)
        return bill

    def void(self, bill: Bill, *, reissue: bool):
        rng = self.rng
        voided_at = min(bill.issued_at + dt.timedelta(days=rng.randint(1, 3)), self.ctx.now)
        bill.voided_at, bill.voided_by_id = voided_at, self.staff["finance"]
        bill.void_reason = rng.choice(VOID_REASONS[:2] if reissue else VOID_REASONS[2:])
        if not reissue:
            return None, voided_at
        reissued = new(
            Bill,
            estate=self.estate,
            unit=bill.unit,
            fee_item=bill.fee_item,
            number=f"{bill.number}-R1",
            period=bill.period,
            period_start=bill.period_start,
            period_end=bill.period_end,
            quantity=bill.quantity,
            unit_price=bill.unit_price,
            amount_due=money(bill.amount_due * Decimal(rng.randint(90, 98)) / 100),
            due_date=bill.due_date,
            issued_at=voided_at,
            reissue_of=bill,
            revision=1,
            created_by_id=self.staff["finance"],
            updated_at=voided_at,
        )
        self.out["reissues"].append(reissued)
        return reissued, voided_at

    def allocate(self, payment: Payment, bills: list[Bill], amount: Decimal, at) -> Decimal:
        for bill in bills:
            take = min(amount, bill.amount_due - bill.amount_paid)
            if take <= 0:
                continue
            bill.amount_paid += take
            amount -= take
            self.out["allocations"].append(
                new(Allocation, estate=self.estate, payment=payment, bill=bill, amount=take, at=at)
            )
            if bill.amount_paid == bill.amount_due:
                bill.fully_paid_at = max(at, bill.fully_paid_at or at)
            if amount <= 0:
                break
        return amount

    def use_credit(self, credit: list[list], bills: list[Bill], at) -> list[list]:
        for entry in credit:
            entry[1] = self.allocate(entry[0], bills, entry[1], at)
        return [entry for entry in credit if entry[1] > 0]

    def pay(self, unit, amount: Decimal, at, bills: list[Bill]) -> tuple[Payment, Decimal]:
        rng = self.rng
        self.keys += 1
        payment = new(
            Payment,
            estate=self.estate,
            unit=unit,
            number=self.number("SJ", at.astimezone(self.tz).year),
            amount=amount,
            method=rng.choices(METHODS, weights=METHOD_WEIGHTS)[0],
            payer=self.out["names"].get(unit.pk, ""),
            reference=f"{rng.randrange(10**12):012d}" if rng.random() < 0.6 else "",
            received_at=at,
            idempotency_key=f"seed-{self.keys}",
            created_by_id=self.staff["finance" if rng.random() < 0.6 else "frontdesk"],
        )
        self.out["payments"].append(payment)
        return payment, self.allocate(payment, bills, amount, at)

    def reverse(self, payment: Payment, bills: list[Bill], at) -> None:
        reversal = Reversal(
            estate=self.estate,
            payment=payment,
            number=self.number("CZ", at.astimezone(self.tz).year),
            reason=self.rng.choice(REVERSE_REASONS),
            created_by_id=self.staff["finance"],
        )
        self.out["reversals"].append((reversal, at))
        for alloc in [a for a in self.out["allocations"][-len(bills) :] if a.payment is payment]:
            alloc.bill.amount_paid -= alloc.amount
            alloc.bill.fully_paid_at = None
            self.out["allocations"].append(
                new(
                    Allocation,
                    estate=self.estate,
                    payment=payment,
                    bill=alloc.bill,
                    reversal=reversal,
                    amount=-alloc.amount,
                    at=at,
                )
            )

    def month(self, unit, bills: list[Bill], earliest, credit: list[list]) -> None:
        rng, now = self.rng, self.ctx.now
        bills = [b for b in bills if b is not None]
        owed = sum((b.amount_due - b.amount_paid for b in bills), ZERO)
        if owed <= 0 or not bills:
            return
        due = bills[0].due_date
        start = earliest.astimezone(self.tz).date()
        if due >= self.today:
            outcome = _pick(rng, {"on_time": 45, "unpaid": 55})
        else:
            outcome = _pick(rng, {"on_time": 70, "late": 15, "partial": 6, "unpaid": 9})
        if outcome == "unpaid":
            return
        if outcome == "late":
            day = due + dt.timedelta(days=rng.randint(1, 75))
        else:
            day = start + dt.timedelta(days=rng.randint(0, max(0, (due - start).days)))
        at = self.at_local(day)
        if at <= earliest or at >= now:
            return
        amount = owed
        if outcome == "partial":
            amount = money(owed * Decimal(rng.randint(30, 70)) / 100)
        elif rng.random() < 0.03:  # rounded up to the next hundred: the rest is kept as credit
            amount = (owed // 100 + 1) * 100
        payment, left = self.pay(unit, amount, at, bills)
        if left > 0:
            credit.append([payment, left])
        elif rng.random() < 0.006 and at + dt.timedelta(days=1, hours=1) < now:
            self.reverse(payment, bills, at + dt.timedelta(days=1))
            self.pay(unit, amount, at + dt.timedelta(days=1, hours=1), bills)

    def reminders(self, unit, bills: list[Bill]) -> None:
        overdue = [
            b
            for b in bills
            if b.voided_at is None and b.amount_paid < b.amount_due and b.due_date < self.today
        ]
        if not overdue or self.rng.random() < 0.3:
            return
        oldest = min(b.due_date for b in overdue)
        day = min(oldest + dt.timedelta(days=self.rng.randint(5, 40)), self.today)
        promised = day + dt.timedelta(days=14) if self.rng.random() < 0.4 else None
        self.out["reminders"].append(
            new(
                Reminder,
                estate=self.estate,
                unit=unit,
                at=self.at_local(day),
                channel=self.rng.choice(["phone", "phone", "sms", "visit", "notice"]),
                note="已电话提醒业主缴费",
                promised_date=promised,
                created_by_id=self.staff["finance"],
            )
        )


def _periods(ctx: SeedContext, estate) -> list[Period]:
    current = Period.containing(estate.tz, ctx.now, now=ctx.now)
    periods = [current]
    for _ in range(ctx.months - 1):
        periods.insert(0, periods[0].previous())
    return periods


@register(40, "fees")
def seed_fees(ctx: SeedContext) -> None:
    from residents.models import Occupancy

    rng = ctx.rng
    names = dict(Occupancy.objects.filter(is_primary=True).values_list("unit_id", "resident__name"))
    totals: Counter = Counter()
    units_by_estate = defaultdict(list)
    for unit in (
        Unit.objects.exclude(status=Unit.Status.UNSOLD).order_by("estate_id", "id").iterator()
    ):
        units_by_estate[unit.estate_id].append(unit)
    for estate in ctx.data["estates"]:
        # Written estate by estate: at company scale all of it would not fit in memory.
        out: dict = defaultdict(list)
        out["runs"], out["names"] = set(), names
        periods = _periods(ctx, estate)
        sim = _Estate(ctx, estate, periods, out)
        pm, park = sim.fee_items()
        FeeItem.objects.bulk_create([pm, park])
        FinanceSettings.objects.create(
            estate=estate, company_name=DEMO_COMPANY, books_open_on=periods[0].start_date
        )
        start = len(out["bills"])
        first_payment, first_reversal = len(out["payments"]), len(out["reversals"])
        for unit in units_by_estate[estate.pk]:
            spaces = 0 if rng.random() < 0.7 else rng.choice([1, 1, 1, 2])
            if spaces:
                out["assignments"].append(
                    FeeAssignment(
                        estate=estate,
                        unit=unit,
                        fee_item=park,
                        quantity=Decimal(spaces),
                        starts_on=add_months(periods[0].start_date, -12),
                    )
                )
            first_bill = len(out["bills"])
            sim.unit(unit, pm, park, spaces)
            sim.reminders(unit, out["bills"][first_bill:])
        sim.renumber(out["payments"][first_payment:], out["reversals"][first_reversal:])
        runs = [
            BillingRun(
                estate=estate,
                period=p.label,
                started_at=dt.datetime.combine(p.start_date, dt.time(2, 0), tzinfo=estate.tz),
                finished_at=dt.datetime.combine(p.start_date, dt.time(2, 1), tzinfo=estate.tz),
                bills_created=sum(1 for b in out["bills"][start:] if b.period == p.label),
            )
            for p in periods
            if p.label in out["runs"]
        ]
        _write(out, runs, [sim])
        totals["bills"] += len(out["bills"]) + len(out["reissues"])
        totals["payments"] += len(out["payments"])
        totals["reversals"] += len(out["reversals"])
    ctx.log(
        f"bills: {totals['bills']}, payments: {totals['payments']}, "
        f"reversals: {totals['reversals']}"
    )


def _write(out: dict, runs: list, sims: list[_Estate]) -> None:
    bulk_insert(FeePrice, out["prices"], batch_size=_BATCH)
    bulk_insert(FeeAssignment, out["assignments"], batch_size=_BATCH)
    bulk_insert(Bill, out["bills"], batch_size=_BATCH)
    bulk_insert(Bill, out["reissues"], batch_size=_BATCH)
    bulk_insert(Payment, out["payments"], batch_size=_BATCH)
    reversals = [r for r, _at in out["reversals"]]
    Reversal.objects.bulk_create(reversals, batch_size=_BATCH)
    for reversal, at in out["reversals"]:
        reversal.created_at = at
    Reversal.objects.bulk_update(reversals, ["created_at"], batch_size=_BATCH)
    bulk_insert(Allocation, out["allocations"], batch_size=_BATCH)
    BillingRun.objects.bulk_create(runs, batch_size=_BATCH)
    bulk_insert(Reminder, out["reminders"], batch_size=_BATCH)
    credit: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for payment in out["payments"]:
        credit[(payment.unit_id, payment.estate_id)] += payment.amount
    for reversal in reversals:
        credit[(reversal.payment.unit_id, reversal.payment.estate_id)] -= reversal.payment.amount
    for alloc in out["allocations"]:
        credit[(alloc.payment.unit_id, alloc.estate_id)] -= alloc.amount
    bulk_insert(
        UnitAccount,
        [
            UnitAccount(unit_id=unit_id, estate_id=estate_id, credit=value)
            for (unit_id, estate_id), value in credit.items()
            if value
        ],
        batch_size=_BATCH,
    )
    Sequence.objects.bulk_create(
        [
            Sequence(estate=sim.estate, name=f"fees:{name}", value=value)
            for sim in sims
            for name, value in sim.seq.items()
        ]
    )
