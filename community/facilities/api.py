"""The facilities API, mounted under /api/v1/ by estate.api: facilities, a day's slots,
bookings (list, create, cancel) and taking a facility out of service. Thin: every rule is in
services.py."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from community.facilities import selectors, services
from community.facilities.models import Booking, Facility
from estate.errors import DomainError
from estate.localtime import today
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams, TimeOfDay, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from repairs.models import Category

router = Router(tags=["facilities"])


class FacilityIn(Schema):
    estate: EstateCode = Field(description="estate code, e.g. HY01")
    name: str = Field(max_length=50, examples=["社区活动室"])
    kind: str = Field(examples=["community_room"])
    location: str = Field("", max_length=100)
    capacity: int = Field(ge=1, le=10_000)
    opens: TimeOfDay = Field(examples=["08:00"])
    closes: TimeOfDay = Field(examples=["21:00"])
    slot_minutes: int = Field(60, ge=15, le=480)
    cancel_hours: int = Field(2, ge=0, le=720)
    rules: str = Field("", max_length=2000)
    bookable_online: bool = True
    active: bool = True


class FacilityOut(Schema):
    id: int
    estate: str
    name: str
    kind: str
    location: str
    capacity: int
    opens: TimeOfDay
    closes: TimeOfDay
    slot_minutes: int
    cancel_hours: int
    rules: str
    bookable_online: bool
    active: bool
    out_of_service: bool
    repair_ticket: str | None

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_out_of_service(obj) -> bool:
        return services.out_of_service(obj)

    @staticmethod
    def resolve_repair_ticket(obj) -> str | None:
        ticket = obj.out_of_service_ticket
        return ticket.number if ticket else None


class SlotOut(Schema):
    start: TimeOfDay
    end: TimeOfDay
    free: bool


class BookingIn(Schema):
    facility: int
    date: Day
    slot_start: TimeOfDay = Field(examples=["19:00"])
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20, examples=["13812345678"])
    people: int = Field(1, ge=1, le=10_000)
    purpose: str = Field("", max_length=200)


class BookingOut(Schema):
    id: int
    facility: int = Field(alias="facility_id")
    date: dt.date
    slot_start: TimeOfDay
    slot_end: TimeOfDay
    status: str
    channel: str
    name: str
    phone_masked: str
    people: int
    purpose: str


class BookingPage(Schema):
    items: list[BookingOut]
    count: int


class CancelIn(Schema):
    note: str = Field("", max_length=200)


class OutOfServiceIn(Schema):
    category: int = Field(description="id of a repair category of the estate")
    description: str = Field(max_length=2000)
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=20)


def _facility(request, facility_id: int, action: str = "facilities.view") -> Facility:
    facility = get_scoped_or_404(
        Facility.objects.select_related("estate", "out_of_service_ticket"),
        request.auth,
        pk=facility_id,
    )
    require(request.auth, facility.estate, action)
    return facility


@router.get(
    "/facilities",
    response={200: list[FacilityOut], **ERRORS_4XX},
    summary="Facilities",
    url_name="facility_list",
)
def facility_list(request, estate: EstateCode = Query(..., description="estate code")):  # noqa: B008
    found = estate_by_code(request.auth, estate)
    require(request.auth, found, "facilities.view")
    return list(selectors.facilities(estate=found).select_related("estate"))


@router.post(
    "/facilities",
    response={201: FacilityOut, **ERRORS_4XX},
    summary="New facility",
    url_name="facility_create",
)
def facility_create(request, payload: FacilityIn):
    estate = estate_by_code(request.auth, payload.estate)
    # Attributes, not .dict(): a dump would turn the times of day into their JSON text.
    data = {name: getattr(payload, name) for name in FacilityIn.model_fields if name != "estate"}
    return Status(201, services.facility_save(estate=estate, by=request.auth, **data))


@router.get(
    "/facilities/{facility_id}",
    response={200: FacilityOut, **ERRORS_4XX},
    summary="One facility",
    url_name="facility_detail",
)
def facility_detail(request, facility_id: int):
    return _facility(request, facility_id)


@router.get(
    "/facilities/{facility_id}/slots",
    response={200: list[SlotOut], **ERRORS_4XX},
    summary="A day's slots and whether each is free",
    url_name="facility_slots",
)
def facility_slots(request, facility_id: int, date: Day | None = None):
    facility = _facility(request, facility_id)
    date = date or today(facility.estate)
    return [
        {"start": s["start"], "end": s["end"], "free": s["booking"] is None}
        for s in selectors.day_slots(facility=facility, date=date)
    ]


@router.post(
    "/facilities/{facility_id}/out-of-service",
    response={200: FacilityOut, **ERRORS_4XX},
    summary="Out of service: opens a repair ticket; bookings are refused until it is resolved",
    url_name="facility_out_of_service",
)
def facility_out_of_service(request, facility_id: int, payload: OutOfServiceIn):
    facility = _facility(request, facility_id, "facilities.manage")
    category = Category.objects.filter(
        estate=facility.estate, kind="repair", pk=payload.category
    ).first()
    if category is None:
        raise DomainError("invalid", _("Choose a repair category of this estate."), "category")
    return services.facility_out_of_service(
        facility=facility,
        by=request.auth,
        category=category,
        description=payload.description,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )


class BookingFilters(PageParams):
    estate: EstateCode = Field(description="estate code")
    facility: int | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    status: str | None = Field(None, description="confirmed or cancelled")


@router.get(
    "/facility-bookings",
    response={200: BookingPage, **ERRORS_4XX},
    summary="Bookings of an estate (two queries whatever the size)",
    url_name="facility_booking_list",
)
def booking_list(request, filters: Query[BookingFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "facilities.view")
    facility = None
    if filters.facility is not None:
        facility = Facility.objects.filter(estate=estate, pk=filters.facility).first()
        if facility is None:
            raise DomainError("not_found", _("Not found."), status=404)
    if filters.status is not None and filters.status not in Booking.Status.values:
        raise DomainError("invalid", _("Unknown status."), field="status")
    qs = selectors.bookings(
        estate=estate,
        facility=facility,
        date_from=filters.date_from,
        date_to=filters.date_to,
        status=filters.status,
    )
    return paginate(qs, filters)


@router.post(
    "/facility-bookings",
    response={201: BookingOut, **ERRORS_4XX},
    summary="Book a slot for someone (409 when it is taken or the facility is out of service)",
    url_name="facility_booking_create",
)
def booking_create(request, payload: BookingIn):
    facility = _facility(request, payload.facility)
    booking = services.booking_create(
        facility=facility,
        date=payload.date,
        slot_start=payload.slot_start,
        name=payload.name,
        phone=payload.phone,
        people=payload.people,
        purpose=payload.purpose,
        by=request.auth,
    )
    return Status(201, booking)


@router.post(
    "/facility-bookings/{booking_id}/cancel",
    response={200: BookingOut, **ERRORS_4XX},
    summary="Cancel a booking (up to the facility's notice before it begins)",
    url_name="facility_booking_cancel",
)
def booking_cancel(request, booking_id: int, payload: CancelIn):
    booking = get_scoped_or_404(Booking, request.auth, pk=booking_id)
    return services.booking_cancel(booking=booking, by=request.auth, note=payload.note)
