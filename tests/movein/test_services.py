"""Bookings, the checklist, defects, rating and completion through the services."""

import datetime as dt
from decimal import Decimal

import pytest

from estate.errors import DomainError
from estate.models import Unit
from repairs.models import Ticket
from residents.models import Occupancy, Resident
from residents.movein import services, workflow
from residents.movein.models import BookedSlot, Defect, Handover, HandoverItem, SlotTemplate
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill
from tests.movein.factories import NOW, at, book, first_slot, walk
from tests.movein.invariants import assert_booking_invariants

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Handover.objects.count(),
        Resident.objects.count(),
        HandoverItem.objects.count(),
        sum(BookedSlot.objects.values_list("booked", flat=True)),
    )


def test_booking_creates_owner_file_items_and_counts(estate_a):
    desk = make_staff(estate_a, "front_desk")
    handover = book(estate_a, owner_name="王芳", owner_phone="13912345678", by=desk)
    assert handover.status == "booked" and handover.booked_by == desk
    owner = handover.resident
    assert owner.name == "王芳" and owner.phone == "13912345678" and owner.kind == "owner"
    assert Occupancy.objects.filter(unit=handover.unit, resident=owner).exists()
    codes = list(handover.items.values_list("code", flat=True))
    assert codes[:3] == ["documents", "fees", "keys"] and "meter_gas" in codes
    assert len(handover.rating_token) >= 21  # 16 random bytes: 128 bits
    assert_booking_invariants()


def test_same_owner_by_name_and_phone_is_reused(estate_a):
    h1 = book(estate_a, owner_name="王芳", owner_phone="13912345678")
    h2 = book(estate_a, owner_name="王芳", owner_phone="13912345678")
    assert h1.resident_id == h2.resident_id


@pytest.mark.parametrize(
    "change, field",
    [
        ("other_estate_unit", "unit"),
        ("past_date", "date"),
        ("bad_phone", "owner_phone"),
        ("no_name", "owner_name"),
        ("other_estate_slot", "slot"),
        ("no_slot", "slot"),
    ],
)
def test_bad_booking_refused_with_field_and_nothing_saved(estate_a, estate_b, change, field):
    slot = first_slot(estate_a)
    kw = {"unit": make_unit(estate_a), "date": dt.date(2026, 10, 10), "slot": slot}
    if change == "other_estate_unit":
        kw["unit"] = make_unit(estate_b)
    elif change == "past_date":
        kw["date"] = dt.date(2026, 9, 30)
    elif change == "bad_phone":
        kw["owner_phone"] = "1381234567"
    elif change == "no_name":
        kw["owner_name"] = "  "
    elif change == "other_estate_slot":
        kw["slot"] = first_slot(estate_b)
    elif change == "no_slot":
        kw["slot"] = "abc"
    before = _counts()
    with pytest.raises(DomainError) as err:
        book(estate_a, **kw)
    assert err.value.field == field and err.value.status == 422
    assert _counts() == before


def test_full_slot_and_full_day_are_409(estate_a):
    slot = first_slot(estate_a)
    SlotTemplate.objects.filter(pk=slot.pk).update(capacity=2)
    slot.refresh_from_db()
    book(estate_a, slot=slot)
    book(estate_a, slot=slot)
    before = _counts()
    with pytest.raises(DomainError) as err:
        book(estate_a, slot=slot)
    assert (err.value.code, err.value.status, err.value.field) == ("slot_full", 409, "slot")
    assert _counts() == before

    from residents.movein.models import BookingSettings

    BookingSettings.objects.filter(estate=estate_a).update(daily_capacity=3)
    day = dt.date(2026, 10, 11)
    other = SlotTemplate.objects.filter(estate=estate_a).exclude(pk=slot.pk)
    book(estate_a, date=day, slot=other[0])
    book(estate_a, date=day, slot=other[1])
    book(estate_a, date=day, slot=other[2])
    with pytest.raises(DomainError) as err:
        book(estate_a, date=day, slot=other[3])
    assert (err.value.code, err.value.status) == ("day_full", 409)
    assert_booking_invariants()


def test_unit_booked_twice_is_409_and_cancel_frees_the_place(estate_a):
    handover = book(estate_a)
    with pytest.raises(DomainError) as err:
        book(estate_a, unit=handover.unit)
    assert err.value.code == "already_booked" and err.value.status == 409
    services.handover_cancel(handover=handover)
    assert BookedSlot.objects.get(pk=handover.slot_id).booked == 0
    again = book(estate_a, unit=handover.unit)
    assert again.status == "booked"
    assert_booking_invariants()


def test_open_item_blocks_completion(estate_a):
    handover = services.handover_start(handover=book(estate_a))
    items = list(HandoverItem.objects.filter(handover=handover))
    for item in items[:-1]:
        services.item_update(item=item, key_count=2, reading="1")
    assert "complete" not in workflow.allowed_actions(Handover.objects.get(pk=handover.pk))
    with pytest.raises(DomainError) as err:
        services.handover_complete(handover=handover)
    assert (err.value.code, err.value.status) == ("invalid_transition", 409)
    assert Handover.objects.get(pk=handover.pk).status == "in_progress"
    assert Unit.objects.get(pk=handover.unit_id).status == "unsold"


def test_completion_sets_unit_occupied_and_move_in_date(estate_a):
    handover = walk(book(estate_a), now=at("2026-10-10 10:00"))
    assert "complete" in workflow.allowed_actions(Handover.objects.get(pk=handover.pk))
    done = services.handover_complete(handover=handover, now=at("2026-10-10 23:30"))
    assert done.status == "completed" and done.completed_on == dt.date(2026, 10, 10)
    assert Unit.objects.get(pk=handover.unit_id).status == "occupied"
    assert Resident.objects.get(pk=handover.resident_id).move_in_date == dt.date(2026, 10, 10)
    occupancy = Occupancy.objects.get(unit=handover.unit_id, resident=handover.resident_id)
    assert occupancy.started_on == dt.date(2026, 10, 10) and occupancy.is_primary
    with pytest.raises(DomainError) as err:
        services.handover_complete(handover=done)
    assert err.value.status == 409


def test_item_inputs_refused_with_field(estate_a):
    handover = services.handover_start(handover=book(estate_a))
    item = {i.code: i for i in HandoverItem.objects.filter(handover=handover)}
    for value in ("abc", "-1", "1e400", "NaN", "1.234", None):
        with pytest.raises(DomainError) as err:
            services.item_update(item=item["meter_water"], reading=value)
        assert err.value.field == "reading" and err.value.status == 422
    for value in ("x", 0, 100):
        with pytest.raises(DomainError) as err:
            services.item_update(item=item["keys"], key_count=value)
        assert err.value.field == "key_count"
    assert not HandoverItem.objects.filter(handover=handover, done=True).exists()
    ok = services.item_update(item=item["meter_water"], reading="123.45")
    assert ok.done and ok.reading == Decimal("123.45")


def test_fees_item_reads_outstanding_balance_from_fees(estate_a):
    handover = services.handover_start(handover=book(estate_a))
    bill = make_bill(handover.unit, amount="300.00")
    fees_item = HandoverItem.objects.get(handover=handover, code="fees")
    with pytest.raises(DomainError) as err:
        services.item_update(item=fees_item)
    assert err.value.code == "fees_outstanding" and "300.00" in err.value.message
    from tests.fees.factories import pay

    pay(handover.unit, "300.00", make_staff(estate_a, "finance"))
    bill.refresh_from_db()
    item = services.item_update(item=fees_item)
    assert item.done and item.balance == Decimal("0.00")


def test_checklist_refused_before_start(estate_a):
    handover = book(estate_a)
    item = handover.items.first()
    with pytest.raises(DomainError) as err:
        services.item_update(item=item)
    assert (err.value.code, err.value.status) == ("invalid_transition", 409)


def test_defect_becomes_after_sales_ticket_linked_to_handover(estate_a):
    desk = make_staff(estate_a, "front_desk")
    handover = services.handover_start(handover=book(estate_a), by=desk)
    room = HandoverItem.objects.get(handover=handover, code="room_kitchen")
    defect = services.defect_add(
        handover=handover, item=room, description="橱柜门合页松动", by=desk, now=NOW
    )
    ticket = Ticket.objects.get(pk=defect.ticket_id)
    assert ticket.category.code == "after_sales" and ticket.category.name == "房产售后"
    assert ticket.unit_id == handover.unit_id and ticket.resident_id == handover.resident_id
    assert "橱柜门合页松动" in ticket.description and ticket.status == "submitted"
    assert Defect.objects.filter(handover=handover).count() == 1


def test_defect_with_empty_description_saves_nothing(estate_a):
    handover = services.handover_start(handover=book(estate_a))
    with pytest.raises(DomainError) as err:
        services.defect_add(handover=handover, description=" ")
    assert err.value.field == "description"
    assert not Ticket.objects.exists() and not Defect.objects.exists()


def test_rating_once_from_1_to_5(estate_a):
    handover = services.handover_start(handover=book(estate_a))
    for bad in (0, 6, "6", "x", 4.5, True):
        with pytest.raises(DomainError) as err:
            services.handover_rate(handover=handover, rating=bad)
        assert err.value.field == "rating" and err.value.status == 422
    rated = services.handover_rate(handover=handover, rating=5, comment="很满意")
    assert rated.rating == 5 and rated.rating_comment == "很满意"
    with pytest.raises(DomainError) as err:
        services.handover_rate(handover=handover, rating=4)
    assert err.value.status == 409
    assert Handover.objects.get(pk=handover.pk).rating == 5


def test_technician_may_not_book(estate_a):
    tech = make_staff(estate_a, "technician")
    with pytest.raises(DomainError) as err:
        book(estate_a, by=tech)
    assert err.value.status == 403


def test_day_before_reminder_sent_once(estate_a, monkeypatch):
    sent = []

    class Sender:
        def send(self, phone, text):
            sent.append((phone, text))

    monkeypatch.setattr("residents.movein.services.bookings.get_sender", Sender)
    tomorrow = book(estate_a, date=dt.date(2026, 10, 11), owner_phone="13912345678")
    book(estate_a, date=dt.date(2026, 10, 12))
    # 2026-10-10 20:00 in Shanghai is 12:00 UTC: tomorrow is the 11th there.
    assert services.booking_reminders_send(now=at("2026-10-10 20:00")) == 1
    assert sent[0][0] == "13912345678" and tomorrow.unit.number in sent[0][1]
    assert services.booking_reminders_send(now=at("2026-10-10 21:00")) == 0
    assert Handover.objects.get(pk=tomorrow.pk).reminded_at is not None
