"""Demo renovations (seed_demo part 50): per estate, applications over the months seeded —
routine and non-routine, pending, returned, rejected, cancelled, approved, renovating, accepted
and closed — with paid deposits (bills, payments and allocations that keep fees' ledger
invariants), patrols (some units left unpatrolled for over a week), violations from the three
sources closed on time, late, not rectified (deposit withheld) or still open, and refunds.

Written in bulk; the random generator is the context's, so a seed gives the same data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from estate.localtime import local_date
from estate.models import Sequence, Unit
from estate.seeding import SeedContext, bulk_insert, register
from fees.models import (
    Allocation,
    Bill,
    DepositRefund,
    FeeItem,
    OneOffKind,
    Payment,
)
from renovation import defaults
from renovation.models import (
    Acceptance,
    Application,
    ApplicationEvent,
    Inspection,
    RenovationPolicy,
    Violation,
    ViolationType,
    WorkType,
)

S = Application.Status
DEPOSIT = Decimal("2000.00")
_BATCH = 5000
SCALE_APPLICATIONS_PER_ESTATE_MONTH = 20_000 / 100 / 12
CONTRACTORS = ["美家装饰", "金螳螂家装", "业之峰装饰", "东易日盛", "靓家居", "小张装修队"]
PEOPLE = ["李工", "王师傅", "赵经理", "陈工", "刘师傅", "孙工"]
PATROL_NOTES = ["现场施工正常", "门口垃圾已清", "施工人员证件齐全", "防护到位", "材料堆放整齐"]
VIOLATION_TEXT = {
    "structural": "擅自拆除部分承重墙体",
    "noise": "中午休息时段电钻施工",
    "rubbish": "楼道堆放水泥袋与碎砖",
    "facade": "私自更换外窗样式",
    "fire_safety": "电焊作业无灭火器",
    "other": "未办理施工人员出入证",
}


def _types(estates) -> tuple[dict, dict]:
    RenovationPolicy.objects.bulk_create([RenovationPolicy(estate=e) for e in estates])
    WorkType.objects.bulk_create(
        [
            WorkType(estate=e, code=code, name=name, routine=routine, order=i)
            for e in estates
            for i, (code, name, routine) in enumerate(defaults.WORK_TYPES)
        ]
    )
    ViolationType.objects.bulk_create(
        [
            ViolationType(estate=e, code=code, name=name, rectify_days=days, order=i)
            for e in estates
            for i, (code, name, days) in enumerate(defaults.VIOLATION_TYPES)
        ]
    )
    works, vtypes = defaultdict(list), defaultdict(list)
    for w in WorkType.objects.filter(estate__in=estates).order_by("estate_id", "order"):
        works[w.estate_id].append(w)
    for v in ViolationType.objects.filter(estate__in=estates).order_by("estate_id", "order"):
        vtypes[v.estate_id].append(v)
    return works, vtypes


class _Estate:
    """One estate's applications, built in memory and written together."""

    def __init__(self, ctx: SeedContext, estate, works, vtypes, out: dict):
        self.ctx, self.rng, self.estate, self.out = ctx, ctx.rng, estate, out
        self.works, self.vtypes = works, vtypes
        self.staff = ctx.data["staff"][estate.pk]
        self.year = local_date(ctx.now, estate).year
        self.n = 0
        self.v = 0
        self.by_app: dict[int, list[Violation]] = defaultdict(list)
        self.deposit_item = FeeItem(
            estate=estate,
            code=OneOffKind.RENOVATION_DEPOSIT,
            name=str(OneOffKind.RENOVATION_DEPOSIT.label),
            basis=FeeItem.Basis.ONE_OFF,
        )
        out["items"].append(self.deposit_item)

    def application(self, unit, owner, created: dt.datetime) -> None:
        rng, now = self.rng, self.ctx.now
        self.n += 1
        routine = [w for w in self.works if w.routine]
        chosen = rng.sample(routine, rng.randint(1, 3))
        if rng.random() < 0.3:
            chosen.append(rng.choice([w for w in self.works if not w.routine]))
        start = local_date(created, self.estate) + dt.timedelta(days=rng.randint(2, 6))
        end = start + dt.timedelta(days=rng.choice([20, 30, 45, 60, 75]))
        age = (now - created).days
        roll = rng.random()
        if age < 7:
            status = rng.choice([S.SUBMITTED, S.CHECKED, S.RETURNED])
        elif roll < 0.10:
            status = S.REJECTED
        elif roll < 0.14:
            status = S.CANCELLED
        else:
            status = S.APPROVED
        if status == S.CHECKED and all(w.routine for w in chosen):
            status = S.SUBMITTED
        app = Application(
            estate=self.estate,
            unit=unit,
            number=f"{self.estate.code}-ZX{self.year}-{self.n:06d}",
            status=status,
            owner_id=owner[0] if owner else None,
            owner_name=owner[1] if owner else "业主",
            contractor=rng.choice(CONTRACTORS),
            contractor_person=rng.choice(PEOPLE),
            contractor_phone=f"139{rng.randint(0, 99_999_999):08d}",
            workers=rng.randint(2, 8),
            non_routine=any(not w.routine for w in chosen),
            start_date=start,
            end_date=end,
            created_by_id=self.staff["frontdesk"],
            checked_by_id=self.staff["frontdesk"] if status == S.CHECKED else None,
        )
        app.created_at_seed = created
        events = [("submit", "", "", created, "")]
        if status == S.RETURNED:
            app.review_comment = "请补充水电改造图纸"
            events.append(
                (
                    "return",
                    S.SUBMITTED,
                    S.RETURNED,
                    created + dt.timedelta(hours=5),
                    app.review_comment,
                )
            )
        if status == S.REJECTED:
            app.review_comment = "方案涉及拆改承重墙，不予批准"
            events.append(
                (
                    "reject",
                    S.SUBMITTED,
                    S.REJECTED,
                    created + dt.timedelta(days=1),
                    app.review_comment,
                )
            )
        if status == S.APPROVED:
            self._approved(app, created, events)
        self.out["apps"].append((app, chosen, events))

    def _approved(self, app, created, events) -> None:
        rng, now = self.rng, self.ctx.now
        approved = created + dt.timedelta(days=1, hours=rng.randint(0, 6))
        app.approved_at = approved
        events.append(("approve", S.SUBMITTED, S.APPROVED, approved, ""))
        bill = Bill(
            estate=self.estate,
            unit=app.unit,
            fee_item=self.deposit_item,
            number=f"{self.estate.code}-RENOVATION_DEPOSIT-{app.number}",
            period=f"{local_date(approved, self.estate):%Y-%m}",
            period_start=local_date(approved, self.estate).replace(day=1),
            period_end=(
                local_date(approved, self.estate).replace(day=1) + dt.timedelta(days=32)
            ).replace(day=1),
            quantity=Decimal("1.00"),
            unit_price=DEPOSIT,
            amount_due=DEPOSIT,
            due_date=local_date(approved, self.estate) + dt.timedelta(days=15),
            issued_at=approved,
            source_ref=app.number,
            description=f"装修押金 {app.number}",
            created_by_id=self.staff["frontdesk"],
        )
        app.deposit_bill = bill
        self.out["bills"].append(bill)
        paid_at = approved + dt.timedelta(hours=rng.randint(1, 40))
        if paid_at > now - dt.timedelta(hours=1) or rng.random() < 0.08:
            return  # approved, the deposit not paid yet
        payment = Payment(
            estate=self.estate,
            unit=app.unit,
            number=f"{self.estate.code}-ZXYJ{self.year}-{self.n:06d}",
            amount=DEPOSIT,
            method=rng.choice(["wechat", "alipay", "bank_transfer", "cash"]),
            payer=app.owner_name,
            received_at=paid_at,
            idempotency_key=f"seed-renovation-{app.number}",
            created_by_id=self.staff["finance"],
        )
        bill.amount_paid = DEPOSIT
        bill.fully_paid_at = paid_at
        self.out["payments"].append(payment)
        self.out["allocations"].append((payment, bill, paid_at))
        started = paid_at + dt.timedelta(hours=rng.randint(2, 30))
        if started > now:
            return
        app.status = S.RENOVATING
        app.started_at = started
        events.append(("start", S.APPROVED, S.RENOVATING, started, ""))
        end_at = dt.datetime.combine(app.end_date, dt.time(15, 0), tzinfo=self.estate.tz)
        finished = end_at if end_at < now - dt.timedelta(days=2) else None
        self._patrols(app, started, finished or now, ongoing=finished is None)
        if finished is not None:
            self._accept(app, finished, events)

    def _patrols(self, app, start, until, *, ongoing: bool = False) -> None:
        rng = self.rng
        at = start + dt.timedelta(days=rng.randint(1, 5))
        # A few renovating units are left without a patrol for over a week; the estate's first
        # ongoing renovation always is, so the board's warning shows whatever the draw.
        lazy = rng.random() < 0.15
        if ongoing and not getattr(self, "lazy_shown", False):
            lazy = self.lazy_shown = True
        last = None
        while at < until - (dt.timedelta(days=rng.randint(8, 12)) if lazy else dt.timedelta(0)):
            inspection = Inspection(
                estate=self.estate,
                application=app,
                at=at,
                by_id=self.staff[rng.choice(["frontdesk", "tech1", "tech2"])],
                notes=rng.choice(PATROL_NOTES),
            )
            self.out["inspections"].append(inspection)
            last = at
            if rng.random() < 0.3:
                source = (
                    Violation.Source.INSPECTION
                    if rng.random() < 0.7
                    else Violation.Source.RESIDENT_REPORT
                )
                self._violation(
                    app, source, at, inspection=inspection if source == "inspection" else None
                )
            at += dt.timedelta(days=rng.randint(3, 8), hours=rng.randint(0, 5))
        app.last_inspected_at = last

    def _violation(self, app, source, found, **links) -> Violation:
        rng, now = self.rng, self.ctx.now
        vtype = rng.choice(self.vtypes)
        self.v += 1
        due = found + dt.timedelta(days=vtype.rectify_days)
        violation = Violation(
            estate=self.estate,
            application=app,
            number=f"{self.estate.code}-WZ{self.year}-{self.v:06d}",
            source=source,
            type=vtype,
            description=VIOLATION_TEXT[vtype.code],
            found_at=found,
            found_by_id=self.staff["tech1"] if source == "inspection" else self.staff["frontdesk"],
            rectify_due_at=due,
            **links,
        )
        roll = rng.random()
        if roll < 0.55:
            done = found + (due - found) * rng.uniform(0.2, 0.95)
        elif roll < 0.75:
            done = due + dt.timedelta(hours=rng.randint(2, 72))
        else:
            done = None
        if done is not None and done < now:
            violation.outcome = Violation.Outcome.RECTIFIED
            violation.rectified_at = done
            violation.closed_at = done + dt.timedelta(hours=1)
            violation.evidence = "复查已整改"
            violation.closed_by_id = self.staff["frontdesk"]
        elif done is None and due + dt.timedelta(days=3) < now and roll < 0.9:
            violation.outcome = Violation.Outcome.NOT_RECTIFIED
            violation.closed_at = due + dt.timedelta(days=3)
            violation.penalty = Decimal(rng.choice([200, 300, 500]))
            violation.close_reason = "逾期拒不整改，按规定扣除押金"
            violation.closed_by_id = self.staff["manager"]
        self.out["violations"].append(violation)
        self.by_app[id(app)].append(violation)
        return violation

    def _accept(self, app, finished, events) -> None:
        rng = self.rng
        found = []
        if rng.random() < 0.25:
            found.append(self._violation(app, Violation.Source.ACCEPTANCE, finished))
        acceptance = Acceptance(
            estate=self.estate,
            application=app,
            at=finished,
            by_id=self.staff["frontdesk"],
            checklist={
                "structure": True,
                "facade": True,
                "plumbing": True,
                "electrical": True,
                "fire": True,
                "common_areas": True,
            },
            passed=not found,
        )
        for v in found:
            v.acceptance = acceptance
        self.out["acceptances"].append(acceptance)
        mine = self.by_app[id(app)]
        if any(v.closed_at is None for v in mine):
            return  # still renovating until its violations are closed
        penalty = sum((v.penalty for v in mine), Decimal("0.00"))
        if penalty > DEPOSIT:
            return
        accepted = max([finished, *[v.closed_at for v in mine]]) + dt.timedelta(hours=2)
        if accepted > self.ctx.now:
            return
        if found:
            self.out["acceptances"].append(
                Acceptance(
                    estate=self.estate,
                    application=app,
                    at=accepted,
                    by_id=self.staff["frontdesk"],
                    checklist=acceptance.checklist,
                    passed=True,
                )
            )
        app.status = S.ACCEPTED
        app.accepted_at = accepted
        events.append(("accept", S.RENOVATING, S.ACCEPTED, accepted, ""))
        refunded = accepted + dt.timedelta(days=rng.randint(1, 5))
        if refunded < self.ctx.now and rng.random() < 0.8:
            app.status = S.CLOSED
            reason = "; ".join(f"{v.number} {v.penalty}" for v in mine if v.penalty)
            self.out["refunds"].append(
                (
                    app,
                    DepositRefund(
                        estate=self.estate,
                        amount=DEPOSIT - penalty,
                        penalty=penalty,
                        reason=f"违章未整改扣除: {reason}"[:200] if reason else "",
                        created_by_id=self.staff["finance"],
                    ),
                    refunded,
                )
            )
            events.append(("refund", S.ACCEPTED, S.CLOSED, refunded, ""))


@register(50, "renovation")
def seed_renovation(ctx: SeedContext) -> None:
    from residents.models import Occupancy

    rng = ctx.rng
    estates = ctx.data["estates"]
    works, vtypes = _types(estates)
    owners = {
        unit_id: (rid, name)
        for unit_id, rid, name in Occupancy.objects.filter(is_primary=True)
        .order_by("unit_id")
        .values_list("unit_id", "resident_id", "resident__name")
    }
    units_by_estate = defaultdict(list)
    for unit in (
        Unit.objects.exclude(status=Unit.Status.UNSOLD).order_by("estate_id", "id").iterator()
    ):
        units_by_estate[unit.estate_id].append(unit)
    out: dict = defaultdict(list)
    sims = []
    window = dt.timedelta(days=30 * ctx.months)
    for estate in estates:
        units = units_by_estate[estate.pk]
        if not units:
            continue
        sim = _Estate(ctx, estate, works[estate.pk], vtypes[estate.pk], out)
        count = max(8, round(len(units) * 0.04 * ctx.months))
        if ctx.company_scale:  # QUALITY.md: 20,000 applications a year over 100 estates
            count = round(SCALE_APPLICATIONS_PER_ESTATE_MONTH * ctx.months)
        moments = sorted(
            ctx.now
            - window
            + dt.timedelta(seconds=rng.randint(0, int(window.total_seconds()) - 3600))
            for _ in range(count)
        )
        for created in moments:
            unit = rng.choice(units)
            sim.application(unit, owners.get(unit.pk), created)
        sims.append(sim)
    _write(out, sims, ctx)
    ctx.log(
        f"renovations: {len(out['apps'])}, patrols: {len(out['inspections'])}, "
        f"violations: {len(out['violations'])}"
    )


def _write(out: dict, sims: list[_Estate], ctx: SeedContext) -> None:
    FeeItem.objects.bulk_create(out["items"], ignore_conflicts=True)
    items = {
        i.estate_id: i
        for i in FeeItem.objects.filter(
            code=OneOffKind.RENOVATION_DEPOSIT, estate__in=[s.estate for s in sims]
        )
    }
    for bill in out["bills"]:
        bill.fee_item = items[bill.estate_id]
    bulk_insert(Bill, out["bills"])
    bulk_insert(Payment, out["payments"])
    bulk_insert(
        Allocation,
        [
            Allocation(estate_id=p.estate_id, payment=p, bill=b, amount=p.amount, at=at)
            for p, b, at in out["allocations"]
        ],
    )
    apps = [a for a, _w, _e in out["apps"]]
    for app in apps:
        app.deposit_bill_id = app.deposit_bill.pk if app.deposit_bill else None
    bulk_insert(Application, apps)
    # created_at is auto_now_add: set the seeded moments afterwards, in one statement per batch.
    for app in apps:
        app.created_at = app.created_at_seed
    Application.objects.bulk_update(apps, ["created_at"], batch_size=_BATCH)
    through = Application.work_types.through
    bulk_insert(
        through,
        [
            through(application_id=a.pk, worktype_id=w.pk)
            for a, chosen, _e in out["apps"]
            for w in chosen
        ],
    )
    bulk_insert(
        ApplicationEvent,
        [
            ApplicationEvent(
                application=a,
                action=action,
                from_status=old,
                to_status=new,
                by_id=a.created_by_id,
                at=at,
                comment=comment,
            )
            for a, _w, events in out["apps"]
            for action, old, new, at, comment in events
        ],
    )
    for row in out["inspections"]:
        row.application_id = row.application.pk
    bulk_insert(Inspection, out["inspections"])
    for row in out["acceptances"]:
        row.application_id = row.application.pk
    Acceptance.objects.bulk_create(out["acceptances"], batch_size=_BATCH)
    for v in out["violations"]:
        v.application_id = v.application.pk
        v.inspection_id = v.inspection.pk if v.inspection else None
        v.acceptance_id = v.acceptance.pk if v.acceptance else None
    bulk_insert(Violation, out["violations"])
    refunds = []
    for app, refund, at in out["refunds"]:
        refund.bill_id = app.deposit_bill.pk
        refunds.append((refund, at))
    DepositRefund.objects.bulk_create([r for r, _at in refunds], batch_size=_BATCH)
    for refund, at in refunds:
        refund.created_at = at
    DepositRefund.objects.bulk_update([r for r, _at in refunds], ["created_at"], batch_size=_BATCH)
    # Document counters continue after the seeded numbers.
    Sequence.objects.bulk_create(
        [Sequence(estate=s.estate, name=f"fees:ZX{s.year}", value=s.n) for s in sims]
        + [Sequence(estate=s.estate, name=f"fees:WZ{s.year}", value=s.v) for s in sims],
        ignore_conflicts=True,
    )
    # A unit is renovating exactly while one of its applications is.
    renovating = {a.unit_id for a in apps if a.status == S.RENOVATING}
    estate_ids = [s.estate.pk for s in sims]
    Unit.objects.filter(estate_id__in=estate_ids, status=Unit.Status.RENOVATING).exclude(
        pk__in=renovating
    ).update(status=Unit.Status.OCCUPIED)
    Unit.objects.filter(pk__in=renovating).update(status=Unit.Status.RENOVATING)
