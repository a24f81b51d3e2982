"""Residents book on the public page with a one-time code; a wrong code, a taken slot or an
out-of-service facility comes back with the form; another estate's facility or booking is 404."""

import pytest
import time_machine

from community.facilities import services
from community.facilities.models import Booking
from estate import otp
from tests.facilities.factories import make_facility
from tests.factories import make_estate, make_staff
from tests.repairs.factories import at, make_category

NOW = at("2026-10-05 09:00")


@pytest.fixture
def codes(monkeypatch):
    sent = []
    real = otp.otp_issue

    def capture(**kw):
        code = real(**kw)
        sent.append(code)
        return code

    monkeypatch.setattr(otp, "otp_issue", capture)
    return sent


FORM = {
    "date": "2026-10-06",
    "slot": "19:00",
    "name": "王伟",
    "phone": "13812345678",
    "people": "2",
    "purpose": "",
    "website": "",
}


@time_machine.travel(NOW, tick=False)
def test_resident_books_with_a_code_and_cancels(client, db, codes):
    estate = make_estate(code="FP01")
    facility = make_facility(estate)
    page = client.get("/r/FP01/facilities/").content.decode()
    assert facility.name in page
    url = f"/r/FP01/facilities/{facility.pk}/"
    r = client.post(url, FORM | {"action": "send_code"})
    assert r.status_code == 200 and len(codes) == 1
    r = client.post(
        url, FORM | {"action": "book", "code": "000000" if codes[0] != "000000" else "111111"}
    )
    assert r.status_code == 422 and 'id="id_code_error"' in r.content.decode()
    client.post(url, FORM | {"action": "send_code"})
    r = client.post(url, FORM | {"action": "book", "code": codes[-1]})
    booking = Booking.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/r/FP01/bookings/{booking.token}/"
    assert booking.channel == "online" and booking.phone_masked == "138****5678"
    assert "19:00" in client.get(r["Location"]).content.decode()
    r = client.post(f"/r/FP01/bookings/{booking.token}/cancel")
    booking.refresh_from_db()
    assert r.status_code == 302 and booking.status == "cancelled"


@time_machine.travel(NOW, tick=False)
def test_out_of_service_facility_refuses_residents(client, db, codes):
    estate = make_estate(code="FP02")
    facility = make_facility(estate)
    services.facility_out_of_service(
        facility=facility,
        by=make_staff(estate, "manager"),
        category=make_category(estate),
        description="地面破损",
        contact_name="李",
        contact_phone="13700000000",
    )
    url = f"/r/FP02/facilities/{facility.pk}/"
    client.post(url, FORM | {"action": "send_code"})
    r = client.post(url, FORM | {"action": "book", "code": codes[-1]})
    assert r.status_code == 409 and not Booking.objects.exists()


def test_another_estates_facility_or_booking_is_404(client, db):
    mine, other = make_estate(code="FP03"), make_estate(code="FP04")
    facility = make_facility(other)
    assert client.get(f"/r/FP03/facilities/{facility.pk}/").status_code == 404
    assert client.get(f"/r/FP03/facilities/{facility.pk}/photo").status_code == 404
    booking = Booking.objects.create(
        estate=other,
        facility=facility,
        date=NOW.date(),
        slot_start=NOW.time(),
        slot_end=NOW.replace(hour=10).time(),
        channel="online",
        name="x",
        token="secret-token",
        created_at=NOW,
    )
    assert client.get(f"/r/FP03/bookings/{booking.token}/").status_code == 404
    assert client.post(f"/r/FP03/bookings/{booking.token}/cancel").status_code == 404
    assert client.get(f"/r/{mine.code}/bookings/wrong/").status_code == 404
