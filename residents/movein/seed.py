"""Demo handovers: the vacant and unsold units of each estate handed over to new owners across
the months, most on the booked day, some late, a few cancelled, some still booked for the
coming days; most owners rate (mostly 4-5, some lower), some inspections find defects that
become after-sales tickets. Neither move-in rate is 0 or 1.

Handovers, checklists and counters are written with bulk inserts; defects go through
repairs' ticket service (a few per estate), so their tickets are like any other."""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from decimal import Decimal

from django.contrib.auth import get_user_model

from estate import localtime
from estate.models import Unit
from estate.seeding import SeedContext, bulk_insert, register
from repairs import services as repairs_services
from repairs.models import Ticket
from residents.models import Occupancy, Resident
from residents.movein import defaults, services
from residents.movein.models import (
    BookedDay,
    BookedSlot,
    ChecklistItemTemplate,
    Defect,
    Handover,
    HandoverItem,
    SlotTemplate,
)
from residents.seed import fake_mobile, fake_name

H = Handover.Status
DEFECTS = ["入户门划痕", "卫生间地漏返味", "主卧窗户密封条脱落", "厨房墙砖空鼓", "阳台栏杆松动"]
COMMENTS = ["", "", "服务很周到", "流程清楚，效率高", "等待时间有点长", "钥匙交接很仔细"]


def _token(rng) -> str:
    # Deterministic for a seed, 128 bits like the service's (secrets is not seedable).
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")


@register(35, "handovers")
def seed_handovers(ctx: SeedContext) -> None:
    rng = ctx.rng
    desk_of = {pk: roles["frontdesk"] for pk, roles in ctx.data.get("staff", {}).items()}
    users = get_user_model().objects.in_bulk(list(desk_of.values()))
    total = defects_made = 0
    for estate in ctx.data["estates"]:
        services.calendar_install_defaults(estate=estate)
        slots = list(SlotTemplate.objects.filter(estate=estate).order_by("start"))
        checklist = list(ChecklistItemTemplate.objects.filter(estate=estate, active=True))
        units = list(
            Unit.objects.filter(
                estate=estate, status__in=[Unit.Status.VACANT, Unit.Status.UNSOLD]
            ).order_by("id")
        )
        rng.shuffle(units)
        today = localtime.today(estate, now=ctx.now)
        first = today - dt.timedelta(days=30 * ctx.months)
        future = max(1, len(units) // 8)
        plans = []
        for i, unit in enumerate(units):
            if i < future:
                day = today + dt.timedelta(days=rng.randint(1, 14))
            else:
                day = first + dt.timedelta(days=rng.randint(0, (today - first).days - 1))
            plans.append((unit, day))
        used: Counter = Counter()
        per_day: Counter = Counter()
        rows = []
        for unit, day in plans:
            free = [s for s in slots if used[(day, s.pk)] < s.capacity]
            if not free or per_day[day] >= defaults.DAILY_CAPACITY:
                continue
            slot = rng.choice(free)
            phone = fake_mobile(rng)
            owner = Resident(estate=estate, name=fake_name(rng), kind=Resident.Kind.OWNER)
            owner.set_phone(phone)
            start = dt.datetime.combine(day, slot.start, tzinfo=estate.tz)
            h = Handover(
                estate=estate,
                unit=unit,
                booked_date=day,
                booked_at=start - dt.timedelta(days=rng.randint(3, 20)),
                booked_by_id=desk_of.get(estate.pk),
                rating_token=_token(rng),
            )
            fate = rng.random()
            if day > today or (day == today and fate < 0.5):
                h.status = H.BOOKED
            elif fate < 0.05:
                h.status, h.cancelled_at = H.CANCELLED, h.booked_at + dt.timedelta(days=1)
            else:
                late = rng.random() < 0.22
                done = start + dt.timedelta(minutes=rng.randint(40, 100))
                if late:  # the owner came back another day (keys, documents, fees)
                    done += dt.timedelta(days=rng.randint(1, 6))
                if done > ctx.now:
                    done = ctx.now - dt.timedelta(minutes=5)
                h.status, h.started_at, h.completed_at = H.COMPLETED, start, done
                h.completed_on = localtime.local_date(done, estate)
                h.completed_by_id = desk_of.get(estate.pk)
                if rng.random() < 0.8:
                    h.rating = rng.choices([5, 4, 3, 2, 1], weights=[50, 27, 13, 7, 3])[0]
                    h.rating_comment = rng.choice(COMMENTS)
                    h.rated_at = done
            rows.append((h, owner, slot))
            if h.status != H.CANCELLED:
                used[(day, slot.pk)] += 1
                per_day[day] += 1

        Resident.objects.bulk_create([owner for _h, owner, _s in rows])
        day_rows = {
            day: BookedDay(estate=estate, date=day, capacity=defaults.DAILY_CAPACITY, booked=n)
            for day, n in per_day.items()
        }
        for h, _owner, _slot in rows:  # cancelled bookings' days hold no live booking
            day_rows.setdefault(
                h.booked_date,
                BookedDay(estate=estate, date=h.booked_date, capacity=defaults.DAILY_CAPACITY),
            )
        BookedDay.objects.bulk_create(list(day_rows.values()))
        slot_rows = {}
        for h, _o, slot in rows:
            key = (h.booked_date, slot.pk)
            if key not in slot_rows:
                slot_rows[key] = BookedSlot(
                    estate=estate,
                    day=day_rows[h.booked_date],
                    template=slot,
                    capacity=slot.capacity,
                    booked=used[key],
                )
        BookedSlot.objects.bulk_create(list(slot_rows.values()))
        for h, owner, slot in rows:
            h.resident = owner
            h.slot = slot_rows[(h.booked_date, slot.pk)]
        Handover.objects.bulk_create([h for h, _o, _s in rows])

        items, occupancies, occupied = [], [], []
        for h, owner, _slot in rows:
            completed = h.status == H.COMPLETED
            if h.status == H.CANCELLED:
                continue
            for t in checklist:
                item = HandoverItem(
                    handover=h, estate=estate, code=t.code, label=t.label, kind=t.kind, sort=t.sort
                )
                if completed:
                    item.done, item.done_at, item.done_by_id = (
                        True,
                        h.completed_at,
                        h.completed_by_id,
                    )
                    if t.kind == "keys":
                        item.key_count = rng.choice([2, 3, 4])
                    elif t.kind == "meter":
                        item.reading = Decimal(rng.randint(0, 9999)) / 10
                    elif t.kind == "fees":
                        item.balance = Decimal("0.00")
                items.append(item)
            occupancies.append(
                Occupancy(
                    estate=estate,
                    unit=h.unit,
                    resident=owner,
                    started_on=h.completed_on,
                    is_primary=completed,
                )
            )
            if completed:
                owner.move_in_date = h.completed_on
                h.unit.status = Unit.Status.OCCUPIED
                occupied.append(h.unit)
        bulk_insert(HandoverItem, items)
        Occupancy.objects.bulk_create(occupancies, ignore_conflicts=True)
        Unit.objects.bulk_update(occupied, ["status"])
        Resident.objects.bulk_update(
            [o for h, o, _s in rows if h.status == H.COMPLETED], ["move_in_date"]
        )

        # Defects: about a quarter of the inspections find one, through repairs' service.
        desk = users.get(desk_of.get(estate.pk))
        room_items = {i.handover_id: i for i in items if i.kind == "room" and rng.random() < 0.5}
        for h, owner, _slot in rows:
            if h.status != H.COMPLETED or rng.random() >= 0.25:
                continue
            description = rng.choice(DEFECTS)
            item = room_items.get(h.pk)
            ticket = repairs_services.ticket_create(
                estate=estate,
                kind=Ticket.Kind.REPAIR,
                category=services.after_sales_category(estate),
                priority=Ticket.Priority.NORMAL,
                channel=Ticket.Channel.FRONT_DESK,
                description=f"【入伙验房】{description}",
                reporter_name=owner.name,
                reporter_phone=owner.phone,
                unit=h.unit,
                resident=owner,
                by=desk,
                now=h.completed_at - dt.timedelta(minutes=10),
            )
            Defect.objects.create(
                handover=h,
                estate=estate,
                item=item,
                ticket=ticket,
                description=description,
                created_at=ticket.reported_at,
                created_by=desk,
            )
            defects_made += 1
        total += len(rows)
    ctx.log(f"handovers: {total}, defects: {defects_made}")
