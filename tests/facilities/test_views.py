"""Staff pages: the list, creating a facility (with a photo), the day page booking for a
caller (errors next to the field, form kept), cancelling, out of service, the bookings list
at a fixed number of queries."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from community.facilities.models import Booking, Facility
from repairs.models import Ticket
from tests.facilities.factories import make_facility
from tests.factories import make_estate, make_staff
from tests.repairs.factories import at, make_category

NOW = at("2026-10-05 09:00")


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, format="PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def estate(db):
    return make_estate(code="FV01")


def test_manager_creates_a_facility_with_a_photo(client, estate):
    client.force_login(make_staff(estate, "manager"))
    r = client.post(
        "/facilities/new/?estate=FV01",
        {
            "name": "羽毛球场",
            "kind": "court",
            "capacity": "8",
            "opens": "07:00",
            "closes": "22:00",
            "slot_minutes": "60",
            "cancel_hours": "2",
            "bookable_online": "on",
            "active": "on",
            "photo": _png(),
        },
    )
    facility = Facility.objects.get()
    assert r.status_code == 302 and facility.photo
    assert client.get(f"/r/FV01/facilities/{facility.pk}/photo").status_code == 200
    page = client.get("/facilities/?estate=FV01").content.decode()
    assert "羽毛球场" in page


def test_a_photo_that_is_not_an_image_comes_back_next_to_the_field(client, estate):
    client.force_login(make_staff(estate, "manager"))
    r = client.post(
        "/facilities/new/?estate=FV01",
        {
            "name": "羽毛球场",
            "kind": "court",
            "capacity": "8",
            "opens": "07:00",
            "closes": "22:00",
            "slot_minutes": "60",
            "cancel_hours": "2",
            "photo": SimpleUploadedFile("x.png", b"nope"),
        },
    )
    assert r.status_code == 400
    assert 'id="id_photo_error"' in r.content.decode() and 'value="羽毛球场"' in r.content.decode()
    assert not Facility.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_desk_books_for_a_caller_and_a_taken_slot_comes_back_with_the_form(client, estate):
    facility = make_facility(estate)
    client.force_login(make_staff(estate, "front_desk"))
    data = {
        "date": "2026-10-06",
        "slot": "19:00",
        "name": "王伟",
        "phone": "13812345678",
        "people": "4",
        "purpose": "读书会",
    }
    r = client.post(f"/facilities/{facility.pk}/", data)
    assert r.status_code == 302
    r = client.post(f"/facilities/{facility.pk}/", data | {"name": "李娜"})
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_slot_error"' in body and 'value="李娜"' in body
    booking = Booking.objects.get()
    r = client.post(f"/facilities/bookings/{booking.pk}/cancel/")
    assert r.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@time_machine.travel(NOW, tick=False)
def test_out_of_service_page_opens_a_ticket(client, estate):
    facility = make_facility(estate)
    category = make_category(estate)
    client.force_login(make_staff(estate, "manager"))
    r = client.post(
        f"/facilities/{facility.pk}/out-of-service/",
        {
            "category": category.pk,
            "description": "空调漏水",
            "contact_name": "李",
            "contact_phone": "13700000000",
        },
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    page = client.get(f"/facilities/{facility.pk}/").content.decode()
    assert ticket.number in page


def test_technician_sees_but_cannot_manage(client, estate):
    facility = make_facility(estate)
    client.force_login(make_staff(estate, "technician"))
    assert client.get(f"/facilities/{facility.pk}/").status_code == 200
    assert client.get(f"/facilities/{facility.pk}/edit/").status_code == 403
    assert client.get("/facilities/new/?estate=FV01").status_code == 403


@pytest.mark.parametrize("rows", [1, 30])
def test_bookings_page_runs_a_fixed_number_of_queries(
    client, estate, django_assert_num_queries, rows
):
    facility = make_facility(estate, opens=dt.time(0), closes=dt.time(23, 59), slot_minutes=15)
    for i in range(rows):
        Booking.objects.create(
            estate=estate,
            facility=facility,
            date=dt.date(2030, 1, 1),
            slot_start=dt.time(i // 4, (i % 4) * 15),
            slot_end=dt.time(i // 4, (i % 4) * 15 + 14),
            channel="staff",
            name="王伟",
            token=f"t{i}",
            created_at=NOW,
        )
    client.force_login(make_staff(estate, "front_desk"))
    client.get("/facilities/bookings/?estate=FV01&from=2030-01-01")  # warm the session
    with django_assert_num_queries(NUM_BOOKING_PAGE):
        r = client.get("/facilities/bookings/?estate=FV01&from=2030-01-01")
    assert r.status_code == 200 and r.content.decode().count("王伟") == rows


# session, user, user and group permissions, memberships, the estate by code, the count, the
# page with its facility; then the frame: the switcher's estates, the unread notifications, the
# current estate
NUM_BOOKING_PAGE = 11
