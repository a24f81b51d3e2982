"""The move-in API: the handover list KPI.md promises, booking, checklist, defects, rating,
completion, the calendar; bad input refused with its field and nothing saved."""

import datetime as dt
import json

import pytest

from residents.movein.models import Handover, HandoverItem
from tests.factories import make_staff, make_unit
from tests.movein.factories import at, book, complete, first_slot

pytestmark = pytest.mark.django_db

SOON = dt.date.today() + dt.timedelta(days=10)  # bookable whatever day the suite runs
KPI_FIELDS = {"id", "unit", "booked_date", "completed_at", "rating"}


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


def test_list_has_the_kpi_fields_and_filters_by_local_completion_date(client, estate_a, desk):
    h1 = complete(book(estate_a, date=dt.date(2026, 10, 10)), at("2026-10-31 23:30"), rating=5)
    complete(book(estate_a, date=dt.date(2026, 10, 10)), at("2026-11-01 00:30"), rating=3)
    book(estate_a, date=dt.date(2026, 10, 12))
    client.force_login(desk)
    response = client.get(
        "/api/v1/handovers",
        {"estate": "HY01", "completed_from": "2026-10-01", "completed_to": "2026-11-01"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) >= KPI_FIELDS
    assert item["id"] == h1.pk and item["unit"] == h1.unit.number
    assert item["booked_date"] == "2026-10-10" and item["rating"] == 5
    assert item["completed_at"] == "2026-10-31T23:30:00+08:00"
    assert item["status"] == "completed" and item["slot"] == "09:00-10:00"
    assert "*" in item["owner_phone"]
    assert client.get("/api/v1/handovers", {"estate": "HY01"}).json()["count"] == 3


@pytest.mark.parametrize("rows", [1, 30])
def test_list_runs_a_fixed_number_of_queries(
    client, estate_a, desk, rows, django_assert_num_queries
):
    for i in range(rows):
        book(estate_a, date=dt.date(2026, 10, 10) + dt.timedelta(days=i))
    client.force_login(desk)
    client.get("/api/v1/handovers", {"estate": "HY01"})  # warm the session and role caches
    # The request's fixed cost, as for /api/v1/bills (session, user, memberships, the estate
    # by code, ...), then the page (unit, owner and slot joined in) and its count: 8 for 1 or
    # 30 rows.
    with django_assert_num_queries(8):
        response = client.get("/api/v1/handovers", {"estate": "HY01"})
    assert response.json()["count"] == rows


def test_other_estate_filter_is_404(client, estate_a, estate_b):
    book(estate_a)
    client.force_login(make_staff(estate_b, "manager"))
    assert client.get("/api/v1/handovers", {"estate": "HY01"}).status_code == 404
    assert client.get("/api/v1/handover-slots", {"estate": "HY01"}).status_code == 404
    assert client.get("/api/v1/handovers", {"estate": "NOPE"}).status_code == 404


def _booking(estate, **kw):
    return {
        "estate": estate.code,
        "unit": make_unit(estate).pk,
        "date": SOON.isoformat(),
        "slot": first_slot(estate).pk,
        "owner_name": "王芳",
        "owner_phone": "13912345678",
    } | kw


def test_full_walk_through_the_api(client, estate_a, desk):
    client.force_login(desk)
    response = _post(client, "/api/v1/handovers", _booking(estate_a))
    assert response.status_code == 201, response.json()
    hid = response.json()["id"]
    assert response.json()["allowed_actions"] == ["cancel", "start"]
    assert _post(client, f"/api/v1/handovers/{hid}/complete", {}).status_code == 409
    assert _post(client, f"/api/v1/handovers/{hid}/start", {}).status_code == 200
    checklist = client.get(f"/api/v1/handovers/{hid}").json()["checklist"]
    for item in checklist:
        body = {"key_count": 3} if item["kind"] == "keys" else {}
        if item["kind"] == "meter":
            body = {"reading": "1024.50"}
        r = _post(client, f"/api/v1/handovers/{hid}/items/{item['id']}", body)
        assert r.status_code == 200, r.json()
    kitchen = next(i for i in checklist if i["code"] == "room_kitchen")
    r = _post(
        client,
        f"/api/v1/handovers/{hid}/defects",
        {"description": "橱柜门合页松动", "item": kitchen["id"]},
    )
    assert r.status_code == 201 and r.json()["ticket_status"] == "submitted"
    assert _post(client, f"/api/v1/handovers/{hid}/rate", {"rating": 5}).status_code == 200
    done = _post(client, f"/api/v1/handovers/{hid}/complete", {})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["defects"][0]["ticket_number"]
    pdf = client.get(f"/api/v1/handovers/{hid}/acknowledgement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "change, field, status",
    [
        ("other_unit", "unit", 422),
        ({"date": "2020-01-01"}, "date", 422),
        ({"owner_phone": "1391234567"}, "owner_phone", 422),
        ({"date": "not-a-date"}, "date", 422),
        ({"unit": "abc"}, "unit", 422),
    ],
)
def test_bad_booking_refused_with_field(client, estate_a, estate_b, desk, change, field, status):
    client.force_login(desk)
    body = _booking(estate_a)
    body |= {"unit": make_unit(estate_b).pk} if change == "other_unit" else change
    response = _post(client, "/api/v1/handovers", body)
    assert response.status_code == status and response.json()["field"] == field
    assert not Handover.objects.exists()


def test_full_slot_is_409_with_clear_body(client, estate_a, desk):
    slot = first_slot(estate_a)
    slot.capacity = 1
    slot.save()
    book(estate_a, date=SOON, slot=slot)
    client.force_login(desk)
    response = _post(client, "/api/v1/handovers", _booking(estate_a))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full" and response.json()["field"] == "slot"


def test_bad_rating_and_reading_refused(client, estate_a, desk):
    client.force_login(desk)
    handover = book(estate_a)
    _post(client, f"/api/v1/handovers/{handover.pk}/start", {})
    r = _post(client, f"/api/v1/handovers/{handover.pk}/rate", {"rating": 6})
    assert r.status_code == 422 and r.json()["field"] == "rating"
    meter = HandoverItem.objects.get(handover=handover, code="meter_gas")
    r = _post(client, f"/api/v1/handovers/{handover.pk}/items/{meter.pk}", {"reading": "十二"})
    assert r.status_code == 422 and r.json()["field"] == "reading"
    assert Handover.objects.get(pk=handover.pk).rating is None
    assert not HandoverItem.objects.get(pk=meter.pk).done


def test_calendar_shows_booked_and_capacity(client, estate_a, desk):
    slot = first_slot(estate_a)
    book(estate_a, date=SOON, slot=slot)
    client.force_login(desk)
    body = client.get(
        "/api/v1/handover-slots", {"estate": "HY01", "start": SOON.isoformat(), "days": 2}
    ).json()
    row = next(r for r in body["rows"] if r["slot_id"] == slot.pk)
    assert row["days"][0] == {"date": SOON.isoformat(), "booked": 1, "capacity": 4, "full": False}
    assert row["days"][1]["booked"] == 0
