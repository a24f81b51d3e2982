"""Every facilities URL with an id or an estate code, asked for by a user of another estate,
answers 404. Residents' pages are keyed by the estate code in the URL: a facility or booking
of another estate under this code is the same 404 (test_public.py)."""

import datetime as dt

from community.facilities.models import Booking
from tests.cross_estate import exempt, register, register_filter
from tests.facilities.factories import make_facility


def _facility(estate):
    return {"facility_id": make_facility(estate).pk}


def _booking(estate):
    facility = make_facility(estate)
    booking = Booking.objects.create(
        estate=estate,
        facility=facility,
        date=dt.date(2030, 1, 1),
        slot_start=dt.time(9),
        slot_end=dt.time(10),
        channel="staff",
        name="王伟",
        token=f"tok{facility.pk}",
        created_at=dt.datetime(2029, 12, 1, tzinfo=dt.UTC),
    )
    return {"booking_id": booking.pk}


register("facilities:detail", _facility, methods=("GET", "POST"))
register("facilities:edit", _facility, methods=("GET", "POST"))
register("facilities:out_of_service", _facility, methods=("POST",))
register("facilities:booking_cancel", _booking, methods=("POST",))
register("api:facility_detail", _facility)
register("api:facility_slots", _facility)
register(
    "api:facility_out_of_service",
    _facility,
    methods=("POST",),
    data={"category": 1, "description": "x", "contact_name": "x", "contact_phone": "13812345678"},
)
register("api:facility_booking_cancel", _booking, methods=("POST",), data={"note": ""})

_PUBLIC = (
    "residents' pages keyed by the estate code in the URL; a facility or booking of another "
    "estate under this code is the same 404 (tests/facilities/test_public.py)"
)
for _name in (
    "facilities",
    "facility_book",
    "facility_photo",
    "facility_booking",
    "facility_booking_cancel",
):
    exempt(f"public:{_name}", _PUBLIC)


# List filters that take an id (tests/estate/test_cross_estate_filters.py)
def _booked(estate):
    facility = make_facility(estate)
    Booking.objects.create(
        estate=estate,
        facility=facility,
        date=dt.date(2030, 1, 1),
        slot_start=dt.time(9),
        slot_end=dt.time(10),
        channel="staff",
        name="乙某某人",
        token=f"tokf{facility.pk}",
        created_at=dt.datetime(2029, 12, 1, tzinfo=dt.UTC),
    )
    return facility.pk, "乙某某人"


register_filter("/api/v1/facility-bookings", "facility", _booked)
