"""Writes of events: create and edit, sign up (confirmed or wait-listed), cancel (the first on
the wait list moves up and is told by SMS), check in, feedback.

Lock order: the event row first (``select_for_update``), then, for a paid sign-up, the unit's
fee account (taken by ``fees.services.bill_one_off_create``). Every change of
``Event.confirmed_places`` happens under the event's lock, and the database refuses a count
above the capacity (``event_confirmed_within_capacity``)."""

import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.facilities import services as facility_services
from community.facilities.models import Facility
from community.models import Event, SignUp
from estate import localtime, privacy, sms
from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.scoping import can
from estate.validators import clean_text, normalize_mobile
from fees.models import Bill, OneOffKind
from fees.permissions import BILL_VOID
from fees.services import bill_one_off_create, bill_void
from fees.services.ledger import clean_amount
from repairs.photos import clean_photo

MAX_PEOPLE = 10


def _clean_event(
    *,
    title,
    description,
    place,
    place_capacity,
    starts_at,
    ends_at,
    capacity,
    signup_opens_at,
    signup_closes_at,
    fee,
) -> dict:
    for name, value in (
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("signup_opens_at", signup_opens_at),
        ("signup_closes_at", signup_closes_at),
    ):
        if value is None:
            raise DomainError("invalid", _("This field is required."), field=name)
    if ends_at <= starts_at:
        raise DomainError("invalid", _("The event must end after it starts."), field="ends_at")
    if signup_closes_at <= signup_opens_at:
        raise DomainError(
            "invalid", _("Sign-up must close after it opens."), field="signup_closes_at"
        )
    if signup_closes_at > ends_at:
        raise DomainError(
            "invalid", _("Sign-up must close before the event ends."), field="signup_closes_at"
        )
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Enter a whole number."), field="capacity") from None
    if not 1 <= capacity <= 100_000:
        raise DomainError("invalid", _("Enter a number from 1 to 100000."), field="capacity")
    if place_capacity not in (None, ""):
        place_capacity = int(place_capacity)
        if capacity > place_capacity:
            raise DomainError(
                "invalid",
                _("The place holds only %(n)d people.") % {"n": place_capacity},
                field="capacity",
            )
    else:
        place_capacity = None
    fee = clean_amount(fee or 0, field="fee", allow_zero=True)
    return {
        "title": clean_text(title, field="title", max_length=100, required=True),
        "description": clean_text(description, field="description", max_length=5000),
        "place": clean_text(place, field="place", max_length=100, required=True),
        "place_capacity": place_capacity,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "signup_opens_at": signup_opens_at,
        "signup_closes_at": signup_closes_at,
        "fee": fee,
    }


def _poster(upload):
    try:
        return clean_photo(upload).content
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, field="poster") from None


_KEEP = object()


def _facility_fields(estate: Estate, facility, fields: dict) -> Facility | None:
    """Check the facility (same estate; the event's places within its capacity) and make it
    the event's place: its name is the label, its capacity the place's capacity."""
    if facility in (None, ""):
        return None
    if not isinstance(facility, Facility):
        facility = Facility.objects.filter(pk=facility).first()
    if facility is None or facility.estate_id != estate.pk:
        raise DomainError("invalid", _("Choose a facility of this estate."), field="facility")
    fields["place"] = (fields.get("place") or "").strip() or facility.name
    fields["place_capacity"] = facility.capacity
    return facility


def _book_facility(event: Event, by) -> None:
    """Release the event's current bookings, then book its facility's slots for its times."""
    old = list(event.facility_bookings.all())
    if old:
        facility_services.event_release(bookings=old, note=_("Event moved"))
        event.facility_bookings.clear()
    if event.facility_id is not None:
        event.facility_bookings.set(
            facility_services.event_book(
                facility=event.facility,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                label=event.title,
                by=by,
            )
        )


@transaction.atomic
def event_create(*, estate: Estate, poster=None, by=None, facility=None, **fields) -> Event:
    """A new event of the estate, open for sign-up in its window. With a facility, its slots
    covering the event are booked for it (refused, nothing saved, when one is taken)."""
    facility = _facility_fields(estate, facility, fields)
    event = Event(estate=estate, created_by=by, facility=facility, **_clean_event(**fields))
    if poster:
        content = _poster(poster)
        event.poster.save(content.name, content, save=False)
    event.save()
    if facility is not None:
        _book_facility(event, by)
    return event


@transaction.atomic
def event_update(*, event: Event, poster=None, by=None, facility=_KEEP, **fields) -> Event:
    """Change an event; the places cannot drop below those already confirmed. A change of
    facility or times books the facility again (its old slots are freed first)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if facility is _KEEP:
        facility = event.facility
    facility = _facility_fields(event.estate, facility, fields)
    cleaned = _clean_event(**fields)
    if cleaned["capacity"] < event.confirmed_places:
        raise DomainError(
            "invalid",
            _("%(n)d places are already confirmed.") % {"n": event.confirmed_places},
            field="capacity",
        )
    rebook = (event.facility_id, event.starts_at, event.ends_at) != (
        facility.pk if facility else None,
        cleaned["starts_at"],
        cleaned["ends_at"],
    )
    for name, value in cleaned.items():
        setattr(event, name, value)
    event.facility = facility
    if poster:
        content = _poster(poster)
        event.poster.save(content.name, content, save=False)
    event.save()
    if rebook and event.cancelled_at is None:
        _book_facility(event, by)
    _promote(event)
    return event


@transaction.atomic
def event_cancel(*, event: Event, by=None) -> Event:
    """Call the event off: no more sign-ups; everyone signed up (confirmed or waiting) is told
    by SMS. Sign-ups stay as they were, for the record."""
    event = Event.objects.select_for_update().select_related("estate").get(pk=event.pk)
    if event.cancelled_at is not None:
        raise DomainError("conflict", _("This event has been cancelled."), field="event")
    event.cancelled_at = timezone.now()
    event.save(update_fields=["cancelled_at"])
    facility_services.event_release(
        bookings=list(event.facility_bookings.all()), note=_("Event called off")
    )
    text = _("[%(estate)s] Sorry, %(title)s on %(day)s has been called off.") % {
        "estate": event.estate.name,
        "title": event.title,
        "day": localtime.local(event.starts_at, event.estate).strftime("%m-%d %H:%M"),
    }
    phones = [
        s.phone for s in SignUp.objects.filter(event=event).exclude(status=SignUp.Status.CANCELLED)
    ]
    sender = sms.get_sender()
    transaction.on_commit(lambda: [sender.send(phone, text) for phone in phones])
    return event


def signup_window_error(event: Event, now) -> str | None:
    """Why nobody may sign up for the event at ``now`` (None when they may). The pages ask
    this too, to show or hide the form."""
    if event.cancelled_at is not None:
        return _("This event has been cancelled.")
    if now < event.signup_opens_at:
        return _("Sign-up has not opened yet.")
    if now >= event.signup_closes_at or now >= event.starts_at:
        return _("Sign-up for this event has closed.")
    return None


def _bill(signup: SignUp, event: Event, by) -> None:
    if event.fee <= 0 or signup.unit_id is None or signup.bill_id is not None:
        return
    signup.bill = bill_one_off_create(
        estate=event.estate,
        unit=signup.unit,
        amount=event.fee * Decimal(signup.people),
        kind=OneOffKind.PAID_SERVICE,
        description=_("Event: %(title)s (%(n)d people)")
        % {"title": event.title[:150], "n": signup.people},
        source_ref=f"EV{event.pk}-S{signup.pk}",
        by=by,
    )
    signup.save(update_fields=["bill"])


def _tell_promoted(signup: SignUp, event: Event) -> None:
    phone = signup.phone
    text = _("[%(estate)s] A place is free: your sign-up for %(title)s is confirmed.") % {
        "estate": event.estate.name,
        "title": event.title,
    }
    transaction.on_commit(lambda: sms.get_sender().send(phone, text))


def _promote(event: Event, by=None) -> list[SignUp]:
    """Move the wait list up in order while its first fits (the event is locked)."""
    promoted = []
    waiting = SignUp.objects.filter(event=event, status=SignUp.Status.WAITLISTED).order_by(
        "created_at", "id"
    )
    for signup in waiting.select_related("unit"):
        if event.confirmed_places + signup.people > event.capacity:
            break
        event.confirmed_places += signup.people
        signup.status = SignUp.Status.CONFIRMED
        signup.promoted_at = timezone.now()
        signup.save(update_fields=["status", "promoted_at"])
        promoted.append(signup)
    if promoted:
        event.save(update_fields=["confirmed_places"])
        for signup in promoted:
            _bill(signup, event, by)
            _tell_promoted(signup, event)
    return promoted


@transaction.atomic
def signup_create(
    *,
    event: Event,
    name: str,
    phone: str,
    people=1,
    unit: Unit | None = None,
    channel: str = SignUp.Channel.DESK,
    by=None,
    now=None,
) -> SignUp:
    """Sign up for an event: confirmed while the places last (and nobody waits before), else
    on the wait list. The event row is locked, so concurrent sign-ups never overfill it."""
    now = now or timezone.now()
    name = clean_text(name, field="name", max_length=50, required=True)
    phone = normalize_mobile(phone)
    try:
        people = int(people)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Enter a whole number."), field="people") from None
    if not 1 <= people <= MAX_PEOPLE:
        raise DomainError(
            "invalid", _("From 1 to %(n)d people.") % {"n": MAX_PEOPLE}, field="people"
        )
    if unit is not None and unit.estate_id != event.estate_id:
        raise DomainError("invalid", _("This unit belongs to another estate."), field="unit")
    if channel not in SignUp.Channel.values:
        raise DomainError("invalid", _("Unknown channel."), field="channel")
    event = Event.objects.select_for_update().select_related("estate").get(pk=event.pk)
    reason = signup_window_error(event, now)
    if reason:
        raise DomainError("invalid", reason, field="event")
    if people > event.capacity:
        raise DomainError(
            "invalid", _("The event has only %(n)d places.") % {"n": event.capacity}, field="people"
        )
    if (
        SignUp.objects.filter(event=event, phone_index=privacy.blind_index(phone))
        .exclude(status=SignUp.Status.CANCELLED)
        .exists()
    ):
        raise DomainError(
            "conflict", _("This phone is already signed up for this event."), field="phone"
        )
    nobody_waits = not SignUp.objects.filter(event=event, status=SignUp.Status.WAITLISTED).exists()
    fits = nobody_waits and event.confirmed_places + people <= event.capacity
    signup = SignUp(
        event=event,
        name=name,
        unit=unit,
        people=people,
        channel=channel,
        status=SignUp.Status.CONFIRMED if fits else SignUp.Status.WAITLISTED,
        token=secrets.token_hex(16),
        created_by=by,
    )
    signup.set_phone(phone)
    signup.save()
    if fits:
        event.confirmed_places += people
        event.save(update_fields=["confirmed_places"])
        _bill(signup, event, by)
    return signup


@transaction.atomic
def signup_cancel(*, signup: SignUp, by=None) -> list[SignUp]:
    """Cancel a sign-up; its places go to the wait list in order (each promoted sign-up is
    told by SMS). Returns the promoted sign-ups."""
    event = Event.objects.select_for_update().select_related("estate").get(pk=signup.event_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignUp.Status.CANCELLED:
        raise DomainError("conflict", _("This sign-up is already cancelled."), field="signup")
    if signup.attended_at is not None:
        raise DomainError("conflict", _("This person has already checked in."), field="signup")
    was_confirmed = signup.status == SignUp.Status.CONFIRMED
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    _void_bill(signup, event, by)
    if not was_confirmed:
        return []
    event.confirmed_places -= signup.people
    event.save(update_fields=["confirmed_places"])
    return _promote(event, by)


def _void_bill(signup: SignUp, event: Event, by) -> None:
    """The unpaid bill of a cancelled sign-up is voided when the canceller may void bills
    (finance, estate admin). fees' ``bill_void`` needs such a user, so when anyone else cancels
    (the front desk, a resident) the bill stays and the event page lists it for finance
    (``selectors.bills_to_void``)."""
    if signup.bill_id is None or by is None or not can(by, event.estate, BILL_VOID):
        return
    bill = Bill.objects.get(pk=signup.bill_id)
    if bill.voided_at is not None or bill.amount_paid > 0:
        return
    bill_void(
        bill=bill,
        reason=_("Sign-up for %(title)s cancelled") % {"title": event.title[:150]},
        by=by,
    )


@transaction.atomic
def signup_check_in(*, signup: SignUp, by=None, undo: bool = False, now=None) -> SignUp:
    """Mark a confirmed sign-up as attended (or undo a mistaken check-in)."""
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status != SignUp.Status.CONFIRMED:
        raise DomainError("conflict", _("Only a confirmed sign-up can check in."), field="signup")
    signup.attended_at = None if undo else (signup.attended_at or now or timezone.now())
    signup.save(update_fields=["attended_at"])
    return signup


@transaction.atomic
def feedback_submit(*, signup: SignUp, rating, comment: str = "", now=None) -> SignUp:
    """The participant's rating (1-5) and comment, once, after the event has started."""
    now = now or timezone.now()
    signup = SignUp.objects.select_for_update().select_related("event").get(pk=signup.pk)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Choose from 1 to 5 stars."), field="rating") from None
    if not 1 <= rating <= 5:
        raise DomainError("invalid", _("Choose from 1 to 5 stars."), field="rating")
    comment = clean_text(comment, field="comment", max_length=1000)
    if signup.status != SignUp.Status.CONFIRMED:
        raise DomainError("conflict", _("Only participants can give feedback."), field="rating")
    if now < signup.event.starts_at:
        raise DomainError("invalid", _("Feedback opens when the event starts."), field="rating")
    if signup.feedback_at is not None:
        raise DomainError(
            "conflict", _("Thank you, we already have your feedback."), field="rating"
        )
    signup.feedback_rating = rating
    signup.feedback_comment = comment
    signup.feedback_at = now
    signup.save(update_fields=["feedback_rating", "feedback_comment", "feedback_at"])
    return signup
