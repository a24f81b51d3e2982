"""An event's place is a facility of the estate, booked through the facilities' booking
service: a taken slot or an out-of-service facility refuses the event and saves nothing; the
places may not exceed the facility's capacity; calling the event off frees its slots."""

import datetime as dt

import pytest
from django.utils import timezone

from community import services
from community.facilities import services as facility_services
from community.facilities.models import Booking
from community.models import Event
from estate.errors import DomainError
from estate.localtime import aware, local
from tests.community.factories import make_event
from tests.facilities.factories import make_facility


def _evening(estate, days=7):
    day = local(timezone.now(), estate).date() + dt.timedelta(days=days)
    return day, aware(dt.datetime.combine(day, dt.time(19)), estate)


def test_an_event_books_the_facility_slots_it_covers(estate_a):
    facility = make_facility(estate_a)
    day, starts = _evening(estate_a)
    event = make_event(estate_a, place="", facility=facility, starts_at=starts, capacity=20)
    booked = Booking.objects.filter(facility=facility, status="confirmed").order_by("slot_start")
    assert [(b.date, b.slot_start) for b in booked] == [(day, dt.time(19)), (day, dt.time(20))]
    assert set(event.facility_bookings.all()) == set(booked)
    assert (event.place, event.place_capacity) == (facility.name, facility.capacity)


def test_a_taken_slot_refuses_the_event_naming_it_and_nothing_is_saved(estate_a):
    facility = make_facility(estate_a)
    day, starts = _evening(estate_a)
    facility_services.booking_create(
        facility=facility, date=day, slot_start=dt.time(20), name="王伟", phone="13812345678"
    )
    with pytest.raises(DomainError) as err:
        make_event(estate_a, facility=facility, starts_at=starts)
    assert err.value.field == "facility" and "20:00" in err.value.message
    assert not Event.objects.exists()
    assert Booking.objects.filter(status="confirmed").count() == 1  # only the resident's


def test_an_out_of_service_facility_or_one_of_another_estate_is_refused(estate_a, estate_b):
    from repairs.models import Ticket
    from tests.repairs.factories import make_ticket

    _day, starts = _evening(estate_a)
    other = make_facility(estate_b)
    with pytest.raises(DomainError) as err:
        make_event(estate_a, facility=other, starts_at=starts)
    assert err.value.field == "facility"
    broken = make_facility(estate_a, name="健身房")
    broken.out_of_service_ticket = make_ticket(estate_a)
    broken.save()
    assert Ticket.objects.get().status not in ("resolved", "closed", "cancelled")
    with pytest.raises(DomainError) as err:
        make_event(estate_a, facility=broken, starts_at=starts)
    assert err.value.field == "facility"
    assert not Event.objects.exists() and not Booking.objects.exists()


def test_places_above_the_facility_capacity_are_refused(estate_a):
    facility = make_facility(estate_a, capacity=30)
    _day, starts = _evening(estate_a)
    with pytest.raises(DomainError) as err:
        make_event(estate_a, facility=facility, starts_at=starts, capacity=31)
    assert err.value.field == "capacity"
    assert not Event.objects.exists() and not Booking.objects.exists()


def test_calling_the_event_off_frees_the_slots_for_a_resident(estate_a):
    facility = make_facility(estate_a)
    day, starts = _evening(estate_a)
    event = make_event(estate_a, facility=facility, starts_at=starts)
    with pytest.raises(DomainError):
        facility_services.booking_create(
            facility=facility, date=day, slot_start=dt.time(19), name="王伟", phone="13812345678"
        )
    services.event_cancel(event=event)
    assert not Booking.objects.filter(status="confirmed").exists()
    booking = facility_services.booking_create(
        facility=facility, date=day, slot_start=dt.time(19), name="王伟", phone="13812345678"
    )
    assert booking.status == "confirmed"


def test_moving_the_event_books_the_new_slots_and_frees_the_old(estate_a):
    facility = make_facility(estate_a)
    day, starts = _evening(estate_a)
    event = make_event(estate_a, facility=facility, starts_at=starts)
    fields = {
        f: getattr(event, f)
        for f in (
            "title",
            "description",
            "place",
            "place_capacity",
            "capacity",
            "signup_opens_at",
            "signup_closes_at",
            "fee",
        )
    }
    earlier = starts - dt.timedelta(hours=10)  # 09:00-11:00
    services.event_update(
        event=event,
        starts_at=earlier,
        ends_at=earlier + dt.timedelta(hours=2),
        **(fields | {"signup_closes_at": earlier - dt.timedelta(hours=1)}),
    )
    live = Booking.objects.filter(status="confirmed").order_by("slot_start")
    assert [b.slot_start for b in live] == [dt.time(9), dt.time(10)]
    assert Booking.objects.filter(status="cancelled").count() == 2


def test_the_event_form_offers_the_estates_facilities_and_shows_a_taken_slot(
    client, estate_a, estate_b, manager_a
):
    facility = make_facility(estate_a, name="多功能厅")
    make_facility(estate_b, name="别家的球场")
    day, starts = _evening(estate_a)
    facility_services.booking_create(
        facility=facility, date=day, slot_start=dt.time(19), name="王伟", phone="13812345678"
    )
    client.force_login(manager_a)
    page = client.get("/community/events/new/?estate=HY01").content.decode()
    assert "多功能厅" in page and "别家的球场" not in page

    def fmt(moment):
        return local(moment, estate_a).strftime("%Y-%m-%dT%H:%M")

    now = timezone.now()
    response = client.post(
        "/community/events/new/?estate=HY01",
        {
            "title": "读书会",
            "facility": str(facility.pk),
            "place": "",
            "starts_at": fmt(starts),
            "ends_at": fmt(starts + dt.timedelta(hours=2)),
            "capacity": "20",
            "signup_opens_at": fmt(now),
            "signup_closes_at": fmt(starts - dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_facility_error" in html and "19:00" in html and 'value="读书会"' in html
    assert not Event.objects.exists()
