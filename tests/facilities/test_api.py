"""The facilities API: create, list, slots, book (409 when taken), cancel, out of service;
bad input is a 4xx naming the field; the bookings list runs a fixed number of queries."""

import datetime as dt
import json

import pytest
import time_machine

from community.facilities.models import Booking
from tests.facilities.factories import make_facility
from tests.factories import make_estate, make_staff
from tests.repairs.factories import at, make_category

NOW = at("2026-10-05 09:00")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(client, db):
    estate = make_estate(code="FA01")
    client.force_login(make_staff(estate, "manager"))
    return estate


@time_machine.travel(NOW, tick=False)
def test_create_book_conflict_cancel(client, desk):
    body = {
        "estate": "FA01",
        "name": "健身房",
        "kind": "gym",
        "capacity": 20,
        "opens": "06:00",
        "closes": "22:00",
    }
    r = post(client, "/api/v1/facilities", body)
    assert r.status_code == 201, r.content
    facility = r.json()["id"]
    assert [f["name"] for f in client.get("/api/v1/facilities?estate=FA01").json()] == ["健身房"]
    slots = client.get(f"/api/v1/facilities/{facility}/slots?date=2026-10-06").json()
    assert len(slots) == 16 and all(s["free"] for s in slots)

    booking = {
        "facility": facility,
        "date": "2026-10-06",
        "slot_start": "19:00",
        "name": "王伟",
        "phone": "13812345678",
    }
    r = post(client, "/api/v1/facility-bookings", booking)
    assert r.status_code == 201 and r.json()["phone_masked"] == "138****5678"
    again = post(client, "/api/v1/facility-bookings", booking)
    assert again.status_code == 409
    assert again.json() == {
        "code": "conflict",
        "message": again.json()["message"],
        "field": "slot",
    }
    r = post(client, f"/api/v1/facility-bookings/{r.json()['id']}/cancel", {"note": "改期"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slot_start": "19:30"}, "slot"),
        ({"people": 500}, "people"),
        ({"phone": "1234"}, "phone"),
        ({"date": "2026-10-04"}, "slot"),
    ],
)
def test_bad_bookings_name_the_field(client, desk, change, field):
    facility = make_facility(desk)
    body = {
        "facility": facility.pk,
        "date": "2026-10-06",
        "slot_start": "19:00",
        "name": "王伟",
        "phone": "13812345678",
    } | change
    r = post(client, "/api/v1/facility-bookings", body)
    assert r.status_code in (400, 422) and r.json()["field"] == field
    assert not Booking.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_out_of_service_then_booking_refused(client, desk):
    facility = make_facility(desk)
    r = post(
        client,
        f"/api/v1/facilities/{facility.pk}/out-of-service",
        {
            "category": make_category(desk).pk,
            "description": "灯坏了",
            "contact_name": "李",
            "contact_phone": "13700000000",
        },
    )
    assert r.status_code == 200 and r.json()["out_of_service"] and r.json()["repair_ticket"]
    r = post(
        client,
        "/api/v1/facility-bookings",
        {
            "facility": facility.pk,
            "date": "2026-10-06",
            "slot_start": "19:00",
            "name": "王伟",
            "phone": "13812345678",
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "out_of_service"


def test_a_technician_reads_but_may_not_book(client, db):
    estate = make_estate(code="FA02")
    client.force_login(make_staff(estate, "technician"))
    facility = make_facility(estate)
    assert client.get(f"/api/v1/facilities/{facility.pk}").status_code == 200
    r = post(
        client,
        "/api/v1/facility-bookings",
        {
            "facility": facility.pk,
            "date": "2030-01-02",
            "slot_start": "19:00",
            "name": "x",
            "phone": "13812345678",
        },
    )
    assert r.status_code == 403


@pytest.mark.parametrize("rows", [1, 30])
def test_bookings_list_runs_a_fixed_number_of_queries(
    client, desk, django_assert_num_queries, rows
):
    facility = make_facility(desk, opens=dt.time(0), closes=dt.time(23, 59), slot_minutes=15)
    for i in range(rows):
        Booking.objects.create(
            estate=desk,
            facility=facility,
            date=dt.date(2030, 1, 1),
            slot_start=dt.time(i // 4, (i % 4) * 15),
            slot_end=dt.time(i // 4, (i % 4) * 15 + 14),
            channel="staff",
            name="王伟",
            token=f"t{i}",
            created_at=NOW,
        )
    # session, user, user and group permissions (company admin?), memberships, the estate by
    # code, the page, the count
    with django_assert_num_queries(8):
        r = client.get("/api/v1/facility-bookings?estate=FA01&date_from=2030-01-01")
    assert r.json()["count"] == rows
