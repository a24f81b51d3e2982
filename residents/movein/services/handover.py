"""The handover on the day: start, the checklist, defects (after-sales tickets), the owner's
rating, and completion (which makes the unit occupied and dates the owner's move-in)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import localtime
from estate.errors import DomainError
from estate.models import Unit
from estate.scoping import require
from estate.validators import clean_text
from repairs import configuration as repairs_configuration
from repairs import services as repairs_services
from repairs.models import Category, Ticket
from residents.models import Occupancy, Resident
from residents.movein import defaults, roles, selectors
from residents.movein import workflow as wf
from residents.movein.models import ChecklistItemTemplate, Defect, Handover, HandoverItem

K = ChecklistItemTemplate.Kind
MAX_READING = Decimal("999999999.99")


def _lock(handover: Handover) -> Handover:
    return (
        Handover.objects.select_for_update()
        .select_related("estate", "unit", "resident")
        .get(pk=handover.pk)
    )


def _staff(by, handover: Handover) -> None:
    if by is not None:
        require(by, handover.estate, roles.MANAGE)


@transaction.atomic
def handover_start(*, handover: Handover, by=None, now: dt.datetime | None = None) -> Handover:
    """The owner has arrived: the checklist can be walked."""
    _staff(by, handover)
    handover = _lock(handover)
    spec = wf.require(handover, "start")
    handover.status = spec.to
    handover.started_at = now or timezone.now()
    handover.save(update_fields=["status", "started_at"])
    return handover


def _key_count(value) -> int:
    try:
        count = int(str(value).strip())
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 99:
        raise DomainError(
            "invalid", _("Enter how many keys were handed (1 to 99)."), field="key_count"
        )
    return count


def _reading(value) -> Decimal:
    error = DomainError(
        "invalid", _("Enter the meter reading as a number, e.g. 123.45."), field="reading"
    )
    if value is None or isinstance(value, bool):
        raise error
    try:
        reading = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise error from None
    if not reading.is_finite() or reading < 0 or reading > MAX_READING:
        raise error
    if reading.as_tuple().exponent < -2:
        raise DomainError(
            "invalid", _("A meter reading has at most two decimals."), field="reading"
        )
    return reading


@transaction.atomic
def item_update(
    *,
    item: HandoverItem,
    done: bool = True,
    key_count=None,
    reading=None,
    note: str = "",
    by=None,
    now: dt.datetime | None = None,
) -> HandoverItem:
    """Tick (or untick) one checklist item with what it records: the number of keys, a meter
    reading, the fees balance read from fees/ (the item is done only when nothing is owed)."""
    now = now or timezone.now()
    handover = _lock(item.handover)
    _staff(by, handover)
    wf.require(handover, "check_item")
    item = HandoverItem.objects.get(pk=item.pk, handover=handover)
    note = clean_text(note, field="note", max_length=200)
    if done:
        if item.kind == K.KEYS:
            item.key_count = _key_count(key_count)
        elif item.kind == K.METER:
            item.reading = _reading(reading)
        elif item.kind == K.FEES:
            balance = selectors.unit_outstanding(handover.unit)
            if balance > 0:
                raise DomainError(
                    "fees_outstanding",
                    _("The unit still owes %(amount)s yuan; settle it at the cashier first.")
                    % {"amount": f"{balance:.2f}"},
                    field="fees",
                )
            item.balance = balance
    item.done = bool(done)
    item.done_at = now if done else None
    item.done_by = by if done else None
    item.note = note
    item.save()
    return item


def after_sales_category(estate) -> Category:
    """The estate's after-sales category (房产售后), installed from repairs' defaults if the
    estate has none yet."""
    lookup = {"estate": estate, "kind": Ticket.Kind.REPAIR, "code": defaults.AFTER_SALES_CATEGORY}
    category = Category.objects.filter(**lookup).first()
    if category is None:
        repairs_configuration.defaults_install(estate=estate)
        category = Category.objects.filter(**lookup).first()
    if category is None or not category.active:
        raise DomainError(
            "no_after_sales_category",
            _("This estate has no active after-sales (房产售后) category."),
            field="description",
        )
    return category


@transaction.atomic
def defect_add(
    *,
    handover: Handover,
    description: str,
    item: HandoverItem | None = None,
    priority: str = Ticket.Priority.NORMAL,
    by=None,
    now: dt.datetime | None = None,
) -> Defect:
    """A defect found in the inspection becomes an after-sales repair ticket on the unit,
    reported by the owner and logged by the staff member, linked to the handover."""
    now = now or timezone.now()
    handover = _lock(handover)
    _staff(by, handover)
    wf.require(handover, "add_defect")
    description = clean_text(description, field="description", max_length=500, required=True)
    if item is not None and item.handover_id != handover.pk:
        raise DomainError("invalid", _("This item is not on this handover."), field="item")
    place = f"{item.label}：" if item is not None else ""
    ticket = repairs_services.ticket_create(
        estate=handover.estate,
        kind=Ticket.Kind.REPAIR,
        category=after_sales_category(handover.estate),
        priority=priority,
        channel=Ticket.Channel.FRONT_DESK,
        description=f"【入伙验房】{place}{description}",
        reporter_name=handover.resident.name,
        reporter_phone=handover.resident.phone,
        unit=handover.unit,
        resident=handover.resident,
        by=by,
        now=now,
    )
    return Defect.objects.create(
        handover=handover,
        estate=handover.estate,
        item=item,
        ticket=ticket,
        description=description,
        created_at=now,
        created_by=by,
    )


def _rating(value) -> int:
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = 0
    if isinstance(value, bool) or not 1 <= rating <= 5 or str(value).strip() != str(rating):
        raise DomainError("invalid", _("Rate the handover from 1 to 5."), field="rating")
    return rating


@transaction.atomic
def handover_rate(
    *,
    handover: Handover,
    rating,
    comment: str = "",
    by=None,
    now: dt.datetime | None = None,
) -> Handover:
    """The owner's rating (1-5) and comment, given once: on the staff tablet (``by`` the staff
    member) or through the handover's link (``by=None``)."""
    rating = _rating(rating)
    comment = clean_text(comment, field="comment", max_length=1000)
    _staff(by, handover)
    handover = _lock(handover)
    wf.require(handover, "rate")
    handover.rating = rating
    handover.rating_comment = comment
    handover.rated_at = now or timezone.now()
    handover.save(update_fields=["rating", "rating_comment", "rated_at"])
    return handover


@transaction.atomic
def handover_complete(*, handover: Handover, by=None, now: dt.datetime | None = None) -> Handover:
    """Complete the handover (every checklist item done): in the same transaction the unit
    becomes occupied and the owner's move-in date is the local date of completion."""
    now = now or timezone.now()
    _staff(by, handover)
    handover = _lock(handover)
    spec = wf.require(handover, "complete")
    day = localtime.local_date(now, handover.estate)
    handover.status = spec.to
    handover.completed_at = now
    handover.completed_on = day
    handover.completed_by = by
    handover.save(update_fields=["status", "completed_at", "completed_on", "completed_by"])

    unit = Unit.objects.select_for_update().get(pk=handover.unit_id)
    unit.status = Unit.Status.OCCUPIED
    unit.save(update_fields=["status"])
    owner = Resident.objects.select_for_update().get(pk=handover.resident_id)
    owner.move_in_date = day
    owner.save(update_fields=["move_in_date", "updated_at"])
    occupancy, _created = Occupancy.objects.select_for_update().get_or_create(
        unit=unit, resident=owner, defaults={"estate": handover.estate}
    )
    occupancy.started_on = day
    occupancy.ended_on = None
    has_primary = (
        Occupancy.objects.filter(unit=unit, is_primary=True, ended_on__isnull=True)
        .exclude(pk=occupancy.pk)
        .exists()
    )
    occupancy.is_primary = occupancy.is_primary or not has_primary
    occupancy.save(update_fields=["started_on", "ended_on", "is_primary"])
    return handover
