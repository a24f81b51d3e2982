"""Demo tickets: months of repairs, complaints and suggestions with consistent histories.

Each ticket is simulated from its report to its return visit against the estate's calendar:
most answered and resolved on time, some late, some on hold, reopened or cancelled, some
still open (a few past their deadline), so that no rate is trivially 0 or 1. Everything is
built in memory and written with bulk inserts."""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter

from estate import privacy
from estate.kpi import Period
from estate.models import Sequence, Unit
from estate.seeding import SeedContext, bulk_insert, new, register
from repairs import calendar, configuration
from repairs.models import (
    CalendarDay,
    Category,
    Department,
    ReturnVisit,
    Ticket,
    TicketEvent,
    overdue_q,
)
from repairs.services import visits
from repairs.workflow import NUMBER_PREFIX
from residents.seed import fake_mobile, fake_name

S = Ticket.Status
E = TicketEvent.EventKind
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
TICKETS_PER_UNIT_MONTH = 0.55
# At company scale (QUALITY.md): 1,000,000 tickets a year over 100 estates.
SCALE_TICKETS_PER_ESTATE_MONTH = 1_000_000 / 100 / 12
SCALE_CALLERS = 2000

_TEXT = {
    "repair": [
        "厨房水管漏水",
        "卫生间下水不畅",
        "客厅灯不亮",
        "入户门锁损坏",
        "电梯异响",
        "楼道灯不亮",
    ],
    "complaint": ["楼上装修噪音太大", "垃圾未及时清运", "车位被占用", "门岗态度不好", "宠物扰民"],
    "suggestion": ["建议增加充电桩", "咨询物业费缴纳方式", "建议增设快递柜", "咨询装修申请流程"],
}
_AREAS = ["1号楼大堂", "地下车库B1", "中心花园", "东门岗亭", "3号楼电梯厅"]


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Builder:
    """One estate's tickets, their history and return visits, simulated against ``now``."""

    def __init__(self, ctx: SeedContext, estate, cal, staff: dict, phones: dict):
        self.ctx, self.rng, self.estate, self.cal = ctx, ctx.rng, estate, cal
        self.staff, self.phones = staff, phones
        self.categories = {
            k: list(Category.objects.filter(estate=estate, kind=k)) for k in NUMBER_PREFIX
        }
        self.departments = {d.code: d for d in Department.objects.filter(estate=estate)}
        self.units = list(Unit.objects.filter(estate=estate).values_list("id", flat=True))
        self.tickets: list[Ticket] = []
        self.events: list[list[TicketEvent]] = []
        self.visits: list[list[ReturnVisit]] = []
        self.sequence: Counter = Counter()
        # At company scale the callers are the estate's few thousand households calling again,
        # not a million different numbers: a pool, each number encrypted once.
        self.pool = (
            [fake_mobile(self.rng) for _ in range(SCALE_CALLERS)] if ctx.company_scale else None
        )

    def _protected(self, phone: str) -> tuple[str, str]:
        """The phone encrypted and its blind index, once per number (encrypting is slow-ish)."""
        if phone not in self.phones:
            self.phones[phone] = (privacy.encrypt(phone), privacy.blind_index(phone))
        return self.phones[phone]

    def _at(self, start: dt.datetime, minutes: float, business: bool) -> dt.datetime:
        return calendar.deadline(start, minutes, calendar=self.cal, business=business)

    def ticket(self, reported: dt.datetime) -> None:
        rng, now = self.rng, self.ctx.now
        kind = _pick(rng, {"repair": 65, "complaint": 25, "suggestion": 10})
        category = rng.choice(self.categories[kind])
        priority = _pick(rng, {"normal": 80, "urgent": 15, "emergency": 5})
        business = category.runs_on_business_hours(priority)
        respond_in, resolve_in = category.minutes(priority)
        phone = fake_mobile(rng) if self.pool is None else rng.choice(self.pool)
        phone_enc, phone_index = self._protected(phone)
        unit = rng.choice(self.units) if kind != "suggestion" and rng.random() < 0.8 else None
        local = reported.astimezone(self.estate.tz)
        self.sequence[(kind, f"{local:%y%m}")] += 1
        t = new(
            Ticket,
            estate=self.estate,
            number=f"{NUMBER_PREFIX[kind]}-{self.estate.code}-{local:%y%m}-"
            f"{self.sequence[(kind, f'{local:%y%m}')]:04d}",
            tracking_code=base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("="),
            kind=kind,
            category=category,
            priority=priority,
            channel=_pick(rng, {"phone": 45, "front_desk": 25, "web_form": 20, "walk_in": 10}),
            unit_id=unit,
            common_area="" if unit else rng.choice(_AREAS),
            reporter_name=fake_name(rng),
            reporter_phone_enc=phone_enc,
            reporter_phone_masked=privacy.mask_phone(phone),
            reporter_phone_index=phone_index,
            description=rng.choice(_TEXT[kind]),
            major_complaint=kind == "complaint" and rng.random() < 0.03,
            business_hours=business,
            reported_at=reported,
            response_due_at=self._at(reported, respond_in, business),
            resolve_due_at=self._at(reported, resolve_in, business),
        )
        desk, tech = self.staff["frontdesk"], self.staff[rng.choice(["tech1", "tech2"])]
        events = [new(TicketEvent, kind=E.CREATED, to_status=S.SUBMITTED, at=reported)]
        visits_: list[ReturnVisit] = []
        self.tickets.append(t)
        self.events.append(events)
        self.visits.append(visits_)

        def step(kind_, to, at, by, note=""):
            """A transition (``to`` a status) or, with ``to=None``, an entry without one."""
            old = t.status if to else ""
            events.append(
                new(
                    TicketEvent,
                    kind=kind_,
                    from_status=old,
                    to_status=to or "",
                    at=at,
                    by_id=by,
                    note=note,
                )
            )
            t.status = to or t.status

        if rng.random() < 0.03:
            at = reported + rng.randint(5, 90) * MIN
            if at < now:
                t.cancel_reason = _pick(rng, {"duplicate": 70, "invalid": 30})
                t.cancelled_at = at
                step(E.CANCELLED, S.CANCELLED, at, desk, t.get_cancel_reason_display())
            return
        late = rng.random() < 0.1
        answered = self._at(
            reported,
            respond_in * rng.uniform(1.1, 3.0) if late else respond_in * rng.uniform(0.1, 0.95),
            business,
        )
        if answered >= now:
            return
        t.first_response_at = answered
        step(E.ACCEPTED, S.ACCEPTED, answered, desk)
        if kind == "repair":
            t.assignee_id = tech
            t.department = self.departments.get("engineering")
            dispatched = answered + rng.randint(2, 30) * MIN
            if dispatched >= now:
                return
            step(E.DISPATCHED, S.DISPATCHED, dispatched, desk)
            started = dispatched + rng.randint(10, 120) * MIN
            if started >= now:
                return
            step(E.STARTED, S.IN_PROGRESS, started, tech)
        else:
            started = answered
        hold = dt.timedelta()
        if rng.random() < 0.08:
            held = started + rng.randint(10, 120) * MIN
            if held >= now:
                return
            before = t.status
            t.on_hold_since = held
            step(
                E.HELD, S.ON_HOLD, held, tech if kind == "repair" else desk, "业主不在家，约定改期"
            )
            resumed = held + rng.randint(12, 72) * HOUR
            if resumed >= now:
                t.held_from_status = before
                return
            t.resolve_due_at = calendar.shift(
                t.resolve_due_at, held, resumed, calendar=self.cal, business=business
            )
            t.on_hold_since = None
            hold = resumed - held
            step(E.RESUMED, before, resumed, desk)
        late = rng.random() < 0.15
        share = rng.uniform(1.05, 2.5) if late else rng.uniform(0.2, 0.95)
        resolved = self._at(reported, resolve_in * share, business) + hold
        resolved = max(resolved, started + 10 * MIN)
        if resolved >= now:
            return
        self._resolve(t, step, resolved, tech if kind == "repair" else desk, visits_)
        if t.status == S.CLOSED and rng.random() < 0.05:
            again = t.closed_at + rng.randint(2, 48) * HOUR
            if again >= now:
                return
            t.reopen_count += 1
            t.resolved_at = t.closed_at = None
            t.outcome = ""
            step(E.REOPENED, S.DISPATCHED if t.assignee_id else S.ACCEPTED, again, None, "问题复发")
            resolved = again + rng.randint(2, 30) * HOUR
            if resolved < now:
                self._resolve(t, step, resolved, tech if kind == "repair" else desk, visits_)

    def _resolve(self, t: Ticket, step, resolved, by, visits_) -> None:
        rng, now, desk = self.rng, self.ctx.now, self.staff["frontdesk"]
        t.resolved_at = resolved
        step(E.RESOLVED, S.RESOLVED, resolved, by)
        if rng.random() > 0.85:
            return
        at = resolved + rng.randint(1, 48) * HOUR
        if at >= now:
            return
        if rng.random() < 0.12:
            visits_.append(new(ReturnVisit, at=at, by_id=desk, reached=False))
            step(E.RETURN_VISIT, None, at, desk, "未接通")
            at += rng.randint(2, 24) * HOUR
            if at >= now or rng.random() < 0.5:
                return
        rating = None if rng.random() < 0.15 else _pick(rng, {5: 45, 4: 35, 3: 10, 2: 6, 1: 4})
        solved = rng.random() < 0.92
        visits_.append(
            new(ReturnVisit, at=at, by_id=desk, reached=True, solved=solved, rating=rating)
        )
        t.return_visited_at = at
        if rating is not None:
            t.return_visit_rating = rating
        step(E.RETURN_VISIT, None, at, desk, f"{rating or '-'}/5")
        closed = at + rng.randint(1, 30) * MIN
        if closed < now:
            t.outcome = Ticket.Outcome.SOLVED if solved else Ticket.Outcome.NOT_SOLVED
            t.closed_at = closed
            step(E.CLOSED, S.CLOSED, closed, desk, t.get_outcome_display())

    def save(self) -> int:
        bulk_insert(Ticket, self.tickets, batch_size=2000)
        overdue = set(
            Ticket.objects.filter(overdue_q(self.ctx.now), estate=self.estate).values_list(
                "id", flat=True
            )
        )
        Ticket.objects.filter(pk__in=overdue).update(is_overdue=True)
        events, visits_ = [], []
        for t, its_events, its_visits in zip(self.tickets, self.events, self.visits, strict=True):
            for row in (*its_events, *its_visits):
                row.ticket_id, row.estate_id = t.pk, t.estate_id
            events += its_events
            visits_ += its_visits
        bulk_insert(TicketEvent, events)
        bulk_insert(ReturnVisit, visits_)
        Sequence.objects.bulk_create(
            [
                Sequence(estate=self.estate, name=f"repairs:{NUMBER_PREFIX[k]}-{m}", value=n)
                for (k, m), n in self.sequence.items()
            ]
        )
        return len(self.tickets)


def _calendar(estate) -> calendar.BusinessCalendar:
    """The estate's whole calendar (every imported year), for simulating many months."""
    days = dict(CalendarDay.objects.filter(estate=estate).values_list("date", "kind"))
    base = calendar.for_estate(estate)
    return calendar.BusinessCalendar(
        tz=estate.tz,
        week=base.week,
        holidays=frozenset(d for d, k in days.items() if k == CalendarDay.DayKind.HOLIDAY),
        workdays=frozenset(d for d, k in days.items() if k == CalendarDay.DayKind.WORKDAY),
        makeup_hours=base.makeup_hours,
    )


@register(30, "tickets")
def seed_tickets(ctx: SeedContext) -> None:
    rng = ctx.rng
    phones: dict[str, tuple[str, str]] = {}
    total = 0
    for estate in ctx.data["estates"]:
        configuration.defaults_install(estate=estate)
        first = Period.containing(estate.tz, ctx.now, now=ctx.now)
        periods = [first]
        for _ in range(ctx.months - 1):
            periods.insert(0, periods[0].previous())
        for year in sorted({p.start.year for p in periods} | {ctx.now.year}):
            configuration.calendar_year_import(estate=estate, year=year)
        builder = _Builder(ctx, estate, _calendar(estate), ctx.data["staff"][estate.pk], phones)
        per_month = max(10, round(len(builder.units) * TICKETS_PER_UNIT_MONTH * ctx.scale))
        seeded = sum((min(p.end, ctx.now) - p.start).total_seconds() for p in periods)
        for period in periods:
            span = (min(period.end, ctx.now) - period.start).total_seconds()
            n = round(per_month * span / (period.end - period.start).total_seconds())
            if ctx.company_scale:  # the year's tickets over the time seeded, however it ends
                n = round(SCALE_TICKETS_PER_ESTATE_MONTH * ctx.months * span / seeded)
            moments = []
            for _ in range(n):
                moment = period.start + dt.timedelta(seconds=rng.uniform(0, span))
                # Residents report mostly in the day: night reports move into the morning.
                if moment.astimezone(estate.tz).hour < 7:
                    moment += dt.timedelta(hours=rng.randint(7, 10))
                if moment < min(period.end, ctx.now):
                    moments.append(moment)
            for moment in sorted(moments):
                builder.ticket(moment)
        total += builder.save()
        last = Period.containing(estate.tz, ctx.now, now=ctx.now).previous()
        visits.return_visit_sample_create(estate=estate, period=last, rng=rng)
    ctx.log(f"tickets: {total}")
