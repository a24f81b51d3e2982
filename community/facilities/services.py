"""Every write to facilities and bookings.

Booking relies on the database: the insert runs in a savepoint and the partial unique
constraint ``booking_one_per_slot`` decides between concurrent bookers (409 ``conflict`` for
the losers). Marking a facility out of service opens a repair ticket through repairs' own
service and cancels the confirmed bookings still to come, telling each booker by SMS after
commit; new bookings are refused for as long as that ticket is not resolved."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.facilities.models import TICKET_DONE, Booking, Facility
from estate import privacy, sms
from estate.errors import DomainError
from estate.localtime import aware, local
from estate.models import Estate
from estate.scoping import require
from estate.validators import clean_text, normalize_mobile
from repairs import services as repair_services
from repairs.photos import clean_photo

BOOK_AHEAD_DAYS = 60
FACILITY_FIELDS = (
    "name",
    "kind",
    "location",
    "capacity",
    "opens",
    "closes",
    "slot_minutes",
    "cancel_hours",
    "rules",
    "bookable_online",
    "active",
)


def out_of_service(facility: Facility) -> bool:
    """The facility waits for a repair: its ticket exists and is not resolved yet. The one
    rule the booking service, the pages and the API all ask."""
    ticket = facility.out_of_service_ticket
    return ticket is not None and ticket.status not in TICKET_DONE


def _check_facility(facility: Facility) -> None:
    if not facility.name.strip():
        raise DomainError("invalid", _("Give the facility a name."), field="name")
    if facility.kind not in Facility.Kind.values:
        raise DomainError("invalid", _("Choose a kind of facility."), field="kind")
    if not isinstance(facility.capacity, int) or not 1 <= facility.capacity <= 10_000:
        raise DomainError("invalid", _("Capacity is from 1 to 10,000 people."), field="capacity")
    if not isinstance(facility.slot_minutes, int) or not 15 <= facility.slot_minutes <= 480:
        raise DomainError("invalid", _("A slot is from 15 to 480 minutes."), field="slot_minutes")
    if not isinstance(facility.cancel_hours, int) or not 0 <= facility.cancel_hours <= 720:
        raise DomainError(
            "invalid", _("Cancellation notice is from 0 to 720 hours."), field="cancel_hours"
        )
    if facility.closes <= facility.opens:
        raise DomainError("invalid", _("Closing time must be after opening time."), field="closes")
    if not facility.slots():
        raise DomainError(
            "invalid", _("The opening hours are shorter than one slot."), field="slot_minutes"
        )


@transaction.atomic
def facility_save(
    *, estate: Estate, by, facility: Facility | None = None, photo=None, **fields
) -> Facility:
    """Create a facility (``facility=None``) or change one. A photo is checked to be an image
    of at most 5 MB and re-encoded without its metadata."""
    require(by, estate, "facilities.manage")
    if facility is None:
        facility = Facility(estate=estate)
    elif facility.estate_id != estate.pk:
        raise DomainError("not_found", _("Not found."), status=404)
    for name in FACILITY_FIELDS:
        if name in fields:
            setattr(facility, name, fields[name])
    facility.name = clean_text(facility.name, field="name", max_length=50, required=True)
    facility.location = clean_text(facility.location, field="location", max_length=100)
    facility.rules = clean_text(facility.rules, field="rules", max_length=2000)
    _check_facility(facility)
    if photo:
        try:
            cleaned = clean_photo(photo)
        except DomainError as exc:
            exc.field = "photo"
            raise
        facility.photo.save(f"{secrets.token_hex(8)}.jpg", cleaned.content, save=False)
    if Facility.objects.filter(estate=estate, name=facility.name).exclude(pk=facility.pk).exists():
        raise DomainError("invalid", _("This estate has a facility of this name."), field="name")
    facility.save()
    return facility


def _slot(facility: Facility, slot_start) -> tuple[dt.time, dt.time]:
    if isinstance(slot_start, str):
        try:
            slot_start = dt.time.fromisoformat(slot_start)
        except ValueError:
            slot_start = None
    for start, end in facility.slots():
        if start == slot_start:
            return start, end
    raise DomainError("invalid", _("Choose one of the facility's slots."), field="slot")


@transaction.atomic
def booking_create(
    *,
    facility: Facility,
    date: dt.date,
    slot_start,
    name: str,
    phone: str,
    people: int = 1,
    purpose: str = "",
    unit=None,
    by=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book one slot. ``by=None`` is a resident whose phone was verified by a one-time code;
    staff book for anyone. Refused (409) when the slot is taken or the facility is out of
    service; refused (400) for a slot in the past, too far ahead or over capacity."""
    now = now or timezone.now()
    estate = facility.estate
    if by is not None:
        require(by, estate, "facilities.book")
    elif not facility.bookable_online:
        raise DomainError(
            "invalid", _("This facility is booked at the service centre."), field="facility"
        )
    facility = Facility.objects.select_related("out_of_service_ticket").get(pk=facility.pk)
    if not facility.active:
        raise DomainError("invalid", _("This facility is closed."), field="facility")
    if out_of_service(facility):
        raise DomainError(
            "out_of_service",
            _("This facility is out of service until its repair is done."),
            field="facility",
            status=409,
        )
    if not isinstance(date, dt.date):
        raise DomainError("invalid", _("Choose a date."), field="date")
    start, end = _slot(facility, slot_start)
    if aware(dt.datetime.combine(date, start), estate) <= now:
        raise DomainError("invalid", _("This slot has already begun."), field="slot")
    if date > local(now, estate).date() + dt.timedelta(days=BOOK_AHEAD_DAYS):
        raise DomainError(
            "invalid",
            _("Bookings open %(n)d days ahead.") % {"n": BOOK_AHEAD_DAYS},
            field="date",
        )
    if not isinstance(people, int) or not 1 <= people <= facility.capacity:
        raise DomainError(
            "invalid",
            _("From 1 to %(n)d people.") % {"n": facility.capacity},
            field="people",
        )
    if unit is not None and unit.estate_id != estate.pk:
        raise DomainError("invalid", _("This unit belongs to another estate."), field="unit")
    booking = Booking(
        estate=estate,
        facility=facility,
        date=date,
        slot_start=start,
        slot_end=end,
        channel=Booking.Channel.ONLINE if by is None else Booking.Channel.STAFF,
        name=clean_text(name, field="name", max_length=50, required=True),
        people=people,
        purpose=clean_text(purpose, field="purpose", max_length=200),
        unit=unit,
        token=secrets.token_urlsafe(16),
        created_by=by,
        created_at=now,
    )
    booking.set_phone(normalize_mobile(phone, field="phone"))
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise DomainError(
            "conflict", _("This slot has just been booked. Choose another."), field="slot"
        ) from None
    return booking


def cancel_deadline(booking: Booking) -> dt.datetime:
    """The last moment the booking may be cancelled: its facility's notice before the slot."""
    begins = aware(dt.datetime.combine(booking.date, booking.slot_start), booking.estate)
    return begins - dt.timedelta(hours=booking.facility.cancel_hours)


@transaction.atomic
def booking_cancel(
    *, booking: Booking, by=None, note: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancel up to the facility's notice before the slot (staff and residents alike); the
    slot is free again at once."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=200)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("estate", "facility")
        .get(pk=booking.pk)
    )
    if by is not None:
        require(by, booking.estate, "facilities.book")
    if booking.status != Booking.Status.CONFIRMED:
        raise DomainError("invalid_transition", _("This booking is already cancelled."))
    if now > cancel_deadline(booking):
        raise DomainError(
            "too_late",
            _("A booking can be cancelled up to %(n)d hours before it begins.")
            % {"n": booking.facility.cancel_hours},
            status=409,
        )
    booking.status, booking.cancelled_at, booking.cancel_note = Booking.Status.CANCELLED, now, note
    booking.save(update_fields=["status", "cancelled_at", "cancel_note"])
    return booking


def _tell(phones_and_texts: list[tuple[str, str]]) -> None:
    sender = sms.get_sender()
    for phone, text in phones_and_texts:
        sender.send(phone, text)


@transaction.atomic
def facility_out_of_service(
    *,
    facility: Facility,
    by,
    category,
    description: str,
    contact_name: str,
    contact_phone: str,
    now: dt.datetime | None = None,
) -> Facility:
    """Take a facility out of service: a repair ticket of ``category`` is opened for it, the
    confirmed bookings still to come are cancelled and their bookers told by SMS (after
    commit), and no booking is taken until the ticket is resolved."""
    now = now or timezone.now()
    facility = (
        Facility.objects.select_for_update(of=("self",))
        .select_related("estate", "out_of_service_ticket")
        .get(pk=facility.pk)
    )
    estate = facility.estate
    require(by, estate, "facilities.manage")
    if out_of_service(facility):
        raise DomainError(
            "invalid_transition",
            _("This facility is already out of service (ticket %(n)s).")
            % {"n": facility.out_of_service_ticket.number},
        )
    place = " ".join(filter(None, [facility.name, facility.location]))[:100]
    ticket = repair_services.ticket_create(
        estate=estate,
        kind="repair",
        category=category,
        priority="urgent",
        channel="other",
        description=description,
        reporter_name=contact_name,
        reporter_phone=contact_phone,
        common_area=place,
        by=by,
        now=now,
    )
    facility.out_of_service_ticket, facility.out_of_service_since = ticket, now
    facility.save(update_fields=["out_of_service_ticket", "out_of_service_since"])
    today = local(now, estate).date()
    affected = list(
        Booking.objects.select_for_update()
        .filter(facility=facility, status=Booking.Status.CONFIRMED, date__gte=today)
        .order_by("date", "slot_start")
    )
    messages = []
    for booking in affected:
        if aware(dt.datetime.combine(booking.date, booking.slot_start), estate) <= now:
            continue
        booking.status, booking.cancelled_at = Booking.Status.CANCELLED, now
        booking.cancel_note = _("Facility out of service")
        booking.save(update_fields=["status", "cancelled_at", "cancel_note"])
        if not booking.phone_enc:
            continue  # an event's booking: no phone (the event's staff see it cancelled)
        text = _(
            "[%(estate)s] %(facility)s is out of service for repair; your booking on "
            "%(date)s %(time)s is cancelled. We are sorry."
        ) % {
            "estate": estate.name,
            "facility": facility.name,
            "date": booking.date.isoformat(),
            "time": booking.slot_start.strftime("%H:%M"),
        }
        messages.append((privacy.decrypt(booking.phone_enc), text))
    if messages:
        transaction.on_commit(lambda: _tell(messages))
    return facility


def event_slots(facility: Facility, starts_at: dt.datetime, ends_at: dt.datetime):
    """The facility's (date, slot start, slot end) overlapping [starts_at, ends_at), in the
    estate's local time."""
    estate = facility.estate
    day, last = local(starts_at, estate).date(), local(ends_at, estate).date()
    out = []
    while day <= last:
        for start, end in facility.slots():
            begins = aware(dt.datetime.combine(day, start), estate)
            finishes = aware(dt.datetime.combine(day, end), estate)
            if begins < ends_at and finishes > starts_at:
                out.append((day, start, end))
        day += dt.timedelta(days=1)
    return out


@transaction.atomic
def event_book(
    *,
    facility: Facility,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    label: str,
    by=None,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """Book every slot of the facility covering an event (a staff booking with the event's
    title as its purpose; no phone). Called by community's event service on behalf of its
    own permission check. Refused (field ``facility``) when the facility is closed or out of
    service, when the event lies outside its opening hours, or naming the first slot already
    booked; the caller's transaction saves nothing then."""
    now = now or timezone.now()
    facility = Facility.objects.select_related("estate", "out_of_service_ticket").get(
        pk=facility.pk
    )
    if not facility.active:
        raise DomainError("invalid", _("This facility is closed."), field="facility")
    if out_of_service(facility):
        raise DomainError(
            "out_of_service",
            _("This facility is out of service until its repair is done."),
            field="facility",
            status=409,
        )
    slots = event_slots(facility, starts_at, ends_at)
    if not slots:
        raise DomainError(
            "invalid", _("The event lies outside the facility's opening hours."), field="facility"
        )
    bookings = []
    for date, start, end in slots:
        booking = Booking(
            estate=facility.estate,
            facility=facility,
            date=date,
            slot_start=start,
            slot_end=end,
            channel=Booking.Channel.STAFF,
            name=label[:50],
            phone_enc="",
            phone_masked="",
            phone_index="",
            people=facility.capacity,
            purpose=(_("Event: %(title)s") % {"title": label})[:200],
            token=secrets.token_urlsafe(16),
            created_by=by,
            created_at=now,
        )
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            raise DomainError(
                "conflict",
                _("%(facility)s is already booked on %(date)s at %(time)s.")
                % {
                    "facility": facility.name,
                    "date": date.isoformat(),
                    "time": start.strftime("%H:%M"),
                },
                field="facility",
                status=409,
            ) from None
        bookings.append(booking)
    return bookings


@transaction.atomic
def event_release(*, bookings, note: str, now: dt.datetime | None = None) -> int:
    """Cancel an event's bookings (the event was called off or moved), whatever the notice:
    their slots are free again at once. Returns how many were cancelled."""
    now = now or timezone.now()
    return Booking.objects.filter(
        pk__in=[b.pk for b in bookings], status=Booking.Status.CONFIRMED
    ).update(status=Booking.Status.CANCELLED, cancelled_at=now, cancel_note=note[:200])
