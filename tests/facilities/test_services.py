"""Booking rules: slots, capacity, cancellation notice, out of service until the repair is
resolved (with the bookers told), and exactly one winner for a slot under concurrency."""

import datetime as dt
import threading

import pytest
from django.db import connection

from community.facilities import services
from community.facilities.models import Booking
from estate import sms
from estate.errors import DomainError
from repairs import services as repair_services
from repairs.models import Ticket
from tests.facilities.factories import make_facility
from tests.factories import make_estate, make_staff
from tests.repairs.factories import at, make_category

NOW = at("2026-10-05 09:00")
DAY = dt.date(2026, 10, 6)


def _book(facility, by=None, hour=19, phone="13812345678", **kw):
    return services.booking_create(
        facility=facility,
        date=kw.pop("date", DAY),
        slot_start=dt.time(hour),
        name="王伟",
        phone=phone,
        by=by,
        now=kw.pop("now", NOW),
        **kw,
    )


@pytest.fixture
def sent(monkeypatch):
    messages = []

    class Capture:
        def send(self, phone, text):
            messages.append((phone, text))

    monkeypatch.setattr(sms, "get_sender", Capture)
    return messages


def test_a_slot_is_booked_once_and_free_again_after_cancelling(db):
    estate = make_estate()
    facility = make_facility(estate)
    first = _book(facility)
    with pytest.raises(DomainError) as err:
        _book(facility, phone="13900001111")
    assert (err.value.code, err.value.field, err.value.status) == ("conflict", "slot", 409)
    services.booking_cancel(booking=first, now=NOW)
    again = _book(facility, phone="13900001111")
    assert again.status == Booking.Status.CONFIRMED
    assert Booking.objects.filter(status="confirmed").count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"hour": 7}, "slot"),  # before opening
        ({"hour": 21}, "slot"),  # the closing hour starts no slot
        ({"date": dt.date(2026, 10, 5), "hour": 8}, "slot"),  # already begun
        ({"date": dt.date(2027, 1, 1)}, "date"),  # too far ahead
        ({"people": 31}, "people"),  # over capacity
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_bookings_are_refused_on_their_field(db, kw, field):
    facility = make_facility(make_estate())
    with pytest.raises(DomainError) as err:
        _book(facility, **kw)
    assert err.value.field == field
    assert not Booking.objects.exists()


def test_cancelling_closes_at_the_facilitys_notice(db):
    facility = make_facility(make_estate(), cancel_hours=2)
    booking = _book(facility, hour=12)
    with pytest.raises(DomainError) as err:
        services.booking_cancel(booking=booking, now=at("2026-10-06 10:01"))
    assert err.value.code == "too_late"
    services.booking_cancel(booking=booking, now=at("2026-10-06 10:00"))
    assert Booking.objects.get().status == "cancelled"


def test_a_technician_may_not_book_and_residents_only_where_allowed(db):
    estate = make_estate()
    facility = make_facility(estate, bookable_online=False)
    with pytest.raises(DomainError) as err:
        _book(facility, by=make_staff(estate, "technician"))
    assert err.value.status == 403
    with pytest.raises(DomainError):
        _book(facility)  # a resident, and this facility is booked at the desk only
    assert _book(facility, by=make_staff(estate, "front_desk")).channel == "staff"


def test_out_of_service_opens_a_ticket_refuses_bookings_until_resolved_and_tells_bookers(
    db, django_capture_on_commit_callbacks, sent
):
    estate = make_estate()
    manager = make_staff(estate, "manager")
    facility = make_facility(estate)
    booked = _book(facility, hour=19, phone="13811112222")
    kept = _book(facility, hour=8, date=dt.date(2026, 10, 5), now=at("2026-10-05 07:00"))
    with django_capture_on_commit_callbacks(execute=True):
        facility = services.facility_out_of_service(
            facility=facility,
            by=manager,
            category=make_category(estate),
            description="跑步机皮带断裂",
            contact_name="李经理",
            contact_phone="13700000000",
            now=NOW,
        )
    ticket = Ticket.objects.get()
    assert ticket.kind == "repair" and facility.out_of_service_ticket == ticket
    assert ticket.common_area == facility.name
    booked.refresh_from_db()
    kept.refresh_from_db()
    assert booked.status == "cancelled"  # to come: cancelled and told
    assert kept.status == "confirmed"  # already begun: left as it was
    assert [phone for phone, _t in sent if "跑步机" not in _t] == ["13811112222"]

    with pytest.raises(DomainError) as err:
        _book(facility, hour=20)
    assert (err.value.code, err.value.status) == ("out_of_service", 409)

    tech = make_staff(estate, "technician")
    repair_services.ticket_dispatch(ticket=ticket, by=manager, assignee=tech, now=NOW)
    repair_services.ticket_start(ticket=ticket, by=tech, now=NOW)
    with pytest.raises(DomainError):
        _book(facility, hour=20)  # in progress is not resolved
    repair_services.ticket_resolve(ticket=ticket, by=tech, now=NOW)
    assert _book(facility, hour=20).status == "confirmed"


def test_facility_save_checks_hours_and_the_photo(db):
    estate = make_estate()
    manager = make_staff(estate, "manager")
    base = {
        "name": "篮球场",
        "kind": "court",
        "capacity": 10,
        "opens": dt.time(9),
        "closes": dt.time(8),
        "slot_minutes": 60,
        "cancel_hours": 1,
    }
    with pytest.raises(DomainError) as err:
        services.facility_save(estate=estate, by=manager, **base)
    assert err.value.field == "closes"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError) as err:
        services.facility_save(
            estate=estate,
            by=manager,
            photo=SimpleUploadedFile("x.jpg", b"not an image"),
            **(base | {"closes": dt.time(22)}),
        )
    assert err.value.field == "photo"
    with pytest.raises(DomainError) as err:
        services.facility_save(
            estate=estate, by=make_staff(estate, "front_desk"), **(base | {"closes": dt.time(22)})
        )
    assert err.value.status == 403


def _run(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            out = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            out = exc
        finally:
            connection.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_confirm_exactly_one():
    facility = make_facility(make_estate(code="FC01"))
    results = _run(20, lambda i: _book(facility, phone=f"139000000{i:02d}").pk)
    wins = [r for r in results if isinstance(r, int)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1, results
    assert len(losses) == 19 and {e.code for e in losses} == {"conflict"}
    assert Booking.objects.filter(status="confirmed").count() == 1
