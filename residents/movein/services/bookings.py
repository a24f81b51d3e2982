"""Booking a handover on the calendar, cancelling it, and the calendar's configuration."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import localtime, privacy
from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.scoping import require
from estate.sms import get_sender
from estate.validators import clean_text, normalize_mobile
from residents.models import Occupancy, Resident
from residents.movein import defaults, roles
from residents.movein import workflow as wf
from residents.movein.models import (
    BookedDay,
    BookedSlot,
    BookingSettings,
    ChecklistItemTemplate,
    Handover,
    HandoverItem,
    SlotTemplate,
)
from residents.services import resident_create

MAX_DAYS_AHEAD = 366


@transaction.atomic
def calendar_install_defaults(*, estate: Estate) -> BookingSettings:
    """Give an estate the default slots, daily capacity and checklist. Idempotent: what the
    estate already has is left as it is."""
    config, _created = BookingSettings.objects.get_or_create(
        estate=estate, defaults={"daily_capacity": defaults.DAILY_CAPACITY}
    )
    if not SlotTemplate.objects.filter(estate=estate).exists():
        SlotTemplate.objects.bulk_create(
            [
                SlotTemplate(estate=estate, start=start, end=end, capacity=capacity)
                for start, end, capacity in defaults.SLOTS
            ],
            ignore_conflicts=True,
        )
    if not ChecklistItemTemplate.objects.filter(estate=estate).exists():
        ChecklistItemTemplate.objects.bulk_create(
            [
                ChecklistItemTemplate(estate=estate, code=code, label=label, kind=kind, sort=i)
                for i, (code, label, kind) in enumerate(defaults.CHECKLIST)
            ],
            ignore_conflicts=True,
        )
    return config


@transaction.atomic
def slot_save(
    *,
    estate: Estate,
    start: dt.time,
    end: dt.time,
    capacity: int,
    active: bool = True,
    slot: SlotTemplate | None = None,
    by=None,
) -> SlotTemplate:
    """Add or change one of the estate's slots. Days already booked keep their capacity."""
    if by is not None:
        require(by, estate, roles.CONFIGURE)
    if not isinstance(start, dt.time) or not isinstance(end, dt.time) or end <= start:
        raise DomainError("invalid", _("The slot must end after it starts."), field="end")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 100:
        raise DomainError("invalid", _("Capacity is a whole number from 1 to 100."), "capacity")
    slot = slot or SlotTemplate(estate=estate)
    if slot.estate_id != estate.pk:
        raise DomainError("not_found", _("No such slot."), field="slot")
    slot.start, slot.end, slot.capacity, slot.active = start, end, capacity, active
    try:
        with transaction.atomic():
            slot.save()
    except IntegrityError:
        raise DomainError(
            "invalid", _("This estate already has a slot starting then."), field="start"
        ) from None
    return slot


def _resolve_unit(estate: Estate, unit) -> Unit:
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    found = (
        Unit.objects.filter(pk=int(unit_id), estate=estate).first()
        if str(unit_id or "").isdigit()
        else None
    )
    if found is None:
        raise DomainError("invalid", _("This unit does not belong to this estate."), field="unit")
    return found


def _resolve_slot(estate: Estate, slot) -> SlotTemplate:
    slot_id = slot.pk if isinstance(slot, SlotTemplate) else slot
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        slot_id = None
    found = (
        SlotTemplate.objects.filter(pk=slot_id, estate=estate, active=True).first()
        if slot_id
        else None
    )
    if found is None:
        raise DomainError("invalid", _("Choose a time slot of this estate."), field="slot")
    return found


def _check_date(estate: Estate, day, now: dt.datetime) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DomainError("invalid", _("Enter a date."), field="date")
    today = localtime.today(estate, now=now)
    if day < today:
        raise DomainError("invalid", _("A handover cannot be booked in the past."), field="date")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(
            "invalid", _("A handover can be booked at most a year ahead."), field="date"
        )
    return day


def _lock_counters(estate: Estate, day: dt.date, template: SlotTemplate):
    """The day's and the slot's counter rows, created if missing, locked in that order."""
    config = BookingSettings.objects.filter(estate=estate).first()
    capacity = config.daily_capacity if config else defaults.DAILY_CAPACITY
    BookedDay.objects.bulk_create(
        [BookedDay(estate=estate, date=day, capacity=capacity)], ignore_conflicts=True
    )
    day_row = BookedDay.objects.select_for_update().get(estate=estate, date=day)
    BookedSlot.objects.bulk_create(
        [BookedSlot(estate=estate, day=day_row, template=template, capacity=template.capacity)],
        ignore_conflicts=True,
    )
    slot_row = BookedSlot.objects.select_for_update().get(day=day_row, template=template)
    return day_row, slot_row


def _owner(estate: Estate, unit: Unit, resident, name: str, phone: str) -> Resident:
    """The given resident of this estate, or the file with this name and phone, or a new one."""
    if resident is not None:
        if resident.estate_id != estate.pk:
            raise DomainError(
                "invalid", _("This resident belongs to another estate."), field="resident"
            )
        return resident
    name = clean_text(name, field="owner_name", max_length=50, required=True)
    phone = normalize_mobile(phone, field="owner_phone")
    found = Resident.objects.filter(
        estate=estate, name=name, phone_index=privacy.blind_index(phone)
    ).first()
    return found or resident_create(estate=estate, name=name, phone=phone)


@transaction.atomic
def handover_book(
    *,
    estate: Estate,
    unit,
    date: dt.date,
    slot,
    resident: Resident | None = None,
    owner_name: str = "",
    owner_phone: str = "",
    note: str = "",
    by=None,
    now: dt.datetime | None = None,
) -> Handover:
    """Book a handover of ``unit`` to its new owner (a resident file, or a name and phone that
    find or make one) on ``date`` in ``slot``. Refused (409 ``slot_full`` / ``day_full``) when
    the slot or the day is full, however many book at once."""
    now = now or timezone.now()
    if by is not None:
        require(by, estate, roles.MANAGE)
    unit = _resolve_unit(estate, unit)
    template = _resolve_slot(estate, slot)
    date = _check_date(estate, date, now)
    note = clean_text(note, field="note", max_length=1000)
    if resident is None:
        clean_text(owner_name, field="owner_name", max_length=50, required=True)
        normalize_mobile(owner_phone, field="owner_phone")
    if Handover.objects.filter(unit=unit).exclude(status=Handover.Status.CANCELLED).exists():
        raise DomainError(
            "already_booked", _("This unit already has a handover booked."), field="unit"
        )

    day_row, slot_row = _lock_counters(estate, date, template)
    if slot_row.booked >= slot_row.capacity:
        raise DomainError(
            "slot_full",
            _("The slot %(slot)s on %(date)s is full.") % {"slot": template, "date": date},
            field="slot",
        )
    if day_row.booked >= day_row.capacity:
        raise DomainError("day_full", _("%(date)s is fully booked.") % {"date": date}, field="date")
    BookedDay.objects.filter(pk=day_row.pk).update(booked=F("booked") + 1)
    BookedSlot.objects.filter(pk=slot_row.pk).update(booked=F("booked") + 1)

    owner = _owner(estate, unit, resident, owner_name, owner_phone)
    Occupancy.objects.get_or_create(unit=unit, resident=owner, defaults={"estate": estate})
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                estate=estate,
                unit=unit,
                resident=owner,
                slot=slot_row,
                booked_date=date,
                booked_at=now,
                booked_by=by,
                note=note,
                rating_token=secrets.token_urlsafe(16),
            )
    except IntegrityError:
        raise DomainError(
            "already_booked", _("This unit already has a handover booked."), field="unit"
        ) from None
    calendar_install_defaults(estate=estate)
    templates = ChecklistItemTemplate.objects.filter(estate=estate, active=True)
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(
                handover=handover,
                estate=estate,
                code=t.code,
                label=t.label,
                kind=t.kind,
                sort=t.sort,
            )
            for t in templates
        ]
    )
    return handover


@transaction.atomic
def handover_cancel(*, handover: Handover, by=None, now: dt.datetime | None = None) -> Handover:
    """Cancel a booking (or a handover not completed): its place in the slot is freed."""
    now = now or timezone.now()
    if by is not None:
        require(by, handover.estate, roles.MANAGE)
    slot_row = BookedSlot.objects.select_related("day").get(pk=handover.slot_id)
    BookedDay.objects.select_for_update().get(pk=slot_row.day_id)
    BookedSlot.objects.select_for_update().get(pk=slot_row.pk)
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    spec = wf.require(handover, "cancel")
    BookedDay.objects.filter(pk=slot_row.day_id).update(booked=F("booked") - 1)
    BookedSlot.objects.filter(pk=slot_row.pk).update(booked=F("booked") - 1)
    handover.status = spec.to
    handover.cancelled_at = now
    handover.save(update_fields=["status", "cancelled_at"])
    return handover


def booking_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Text every owner whose handover is tomorrow (the estate's local date) the day, slot
    and service phone, once: a second run the same day sends nothing. Returns how many."""
    now = now or timezone.now()
    sender = get_sender()
    sent = 0
    candidates = (
        Handover.objects.filter(status=Handover.Status.BOOKED, reminded_at__isnull=True)
        .filter(booked_date__gte=now.date(), booked_date__lte=now.date() + dt.timedelta(days=2))
        .select_related("estate", "resident", "unit", "slot__template")
    )
    for handover in candidates:
        estate = handover.estate
        if handover.booked_date != localtime.today(estate, now=now) + dt.timedelta(days=1):
            continue
        with transaction.atomic():
            claimed = Handover.objects.filter(pk=handover.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            text = _(
                "%(estate)s: your handover of unit %(unit)s is tomorrow, %(date)s %(slot)s. "
                "Please bring your ID and purchase contract. Questions: %(phone)s"
            ) % {
                "estate": estate.name,
                "unit": handover.unit.number,
                "date": handover.booked_date,
                "slot": handover.slot.template,
                "phone": estate.service_phone or "-",
            }
            sender.send(handover.resident.phone, text)
            sent += 1
    return sent
