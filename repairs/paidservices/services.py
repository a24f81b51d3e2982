"""Every write of special paid services: the catalogue, ordering, the quote and its
confirmation, starting and resolving the work.

The work itself is a repair ticket, moved by repairs' own transitions. Two rules are this
module's: a quoted service cannot start (nor be resolved) before the resident has confirmed
the quote (the order keeps ``Ticket.start_blocked`` set, which repairs' transition table reads),
and the order's price is the ticket's service charge from the moment it is known — at the
order for a fixed price, at the resident's confirmation for a quote. Whoever resolves the
ticket (the ticket page, the API, the paid-service page) bills it at once: repairs calls
``bill_on_resolve`` through its ``ticket_resolved`` hook, which bills through repairs'
paid-service billing (fees' one-off bill, idempotent on the ticket number, and the ticket's
``charge_billed_at`` set): billed once, and reopening, resolving again or closing bills nothing
more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.scoping import require
from estate.validators import clean_text
from repairs import services as repair_services
from repairs import workflow as wf
from repairs.models import Category, Department, Ticket, TicketEvent
from repairs.paidservices.models import Order, Service
from repairs.paidservices.selectors import catalogue

S = Service.Pricing


def _amount(value, field: str = "price") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid", _("Enter an amount in yuan."), field=field) from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
        raise DomainError(
            "invalid", _("Enter a positive amount with at most 2 decimals."), field=field
        )
    if amount >= Decimal("1e10"):
        raise DomainError("invalid", _("This amount is too large."), field=field)
    return amount


@transaction.atomic
def service_save(
    *,
    estate: Estate,
    by,
    code: str,
    name: str,
    pricing: str,
    price=None,
    category_code: str,
    department_code: str = "",
    description: str = "",
    online: bool = True,
    active: bool = True,
) -> Service:
    """Create or change the estate's service of this code (overriding a company default of
    the same code)."""
    require(by, estate, "paidservices.manage")
    code = clean_text(code, field="code", max_length=32, required=True)
    if pricing not in S.values:
        raise DomainError("invalid", _("Choose fixed price or quoted on site."), field="pricing")
    if pricing == S.FIXED:
        price = _amount(price)
    elif price not in (None, ""):
        raise DomainError("invalid", _("A quoted service has no fixed price."), field="price")
    else:
        price = None
    if not Category.objects.filter(
        estate=estate, kind=Ticket.Kind.REPAIR, code=category_code, active=True
    ).exists():
        raise DomainError(
            "invalid", _("Choose a repair category of this estate."), field="category_code"
        )
    if (
        department_code
        and not Department.objects.filter(estate=estate, code=department_code).exists()
    ):
        raise DomainError(
            "invalid", _("Choose a department of this estate."), field="department_code"
        )
    service, _created = Service.objects.update_or_create(
        estate=estate,
        code=code,
        defaults={
            "name": clean_text(name, field="name", max_length=50, required=True),
            "description": clean_text(description, field="description", max_length=1000),
            "pricing": pricing,
            "price": price,
            "category_code": category_code,
            "department_code": department_code,
            "online": bool(online),
            "active": bool(active),
        },
    )
    return service


@transaction.atomic
def order_create(
    *,
    estate: Estate,
    service: Service,
    unit: Unit | None,
    name: str,
    phone: str,
    description: str = "",
    by=None,
    now: dt.datetime | None = None,
) -> Order:
    """Order a service for a unit: a repair ticket of the service's category (with its
    deadlines), and the order holding its price. ``by=None`` is a resident on the public
    page, who may order only the services offered online."""
    now = now or timezone.now()
    if by is not None:
        require(by, estate, "paidservices.order")
    if service.pk not in {s.pk for s in catalogue(estate=estate, online_only=by is None)}:
        raise DomainError("invalid", _("Choose a service offered here."), field="service")
    if unit is None:
        raise DomainError("invalid", _("Give the unit the service is for."), field="unit")
    category = Category.objects.filter(
        estate=estate, kind=Ticket.Kind.REPAIR, code=service.category_code, active=True
    ).first()
    if category is None:
        raise DomainError(
            "invalid",
            _("This service is not set up in this estate yet; please call the service centre."),
            field="service",
        )
    text = clean_text(description, field="description", max_length=1500)
    ticket = repair_services.ticket_create(
        estate=estate,
        kind=Ticket.Kind.REPAIR,
        category=category,
        priority=Ticket.Priority.NORMAL,
        channel=Ticket.Channel.FRONT_DESK,
        description=_("Paid service: %(name)s") % {"name": service.name}
        + (f" · {text}" if text else ""),
        reporter_name=name,
        reporter_phone=phone,
        unit=unit,
        by=by,
        now=now,
    )
    order = Order.objects.create(
        estate=estate,
        service=service,
        ticket=ticket,
        price=service.price if service.pricing == S.FIXED else None,
        created_at=now,
    )
    _block_start(order)
    _charge(order, by=by, now=now)
    return order


def _block_start(order: Order) -> None:
    """Keep the ticket's "start" refused while the quote waits for the resident (the repairs
    transition table reads ``Ticket.start_blocked``; no page needs to know about quotes)."""
    reason = "quote_unconfirmed" if start_refusal(order) else ""
    if order.ticket.start_blocked != reason:
        Ticket.objects.filter(pk=order.ticket_id).update(start_blocked=reason)
        order.ticket.start_blocked = reason


def _charge(order: Order, *, by, now: dt.datetime) -> None:
    """Make the ticket's service charge the order's agreed price (None while a quote waits for
    the resident), with a history entry when it changes. A system write on the order's behalf:
    the resident ordering online has no role, and the price was checked by this module."""
    price = order.price if order.price is not None and not start_refusal(order) else None
    ticket = wf.lock(order.ticket)
    if ticket.service_charge == price or ticket.charge_billed_at is not None:
        return
    ticket.service_charge = price
    wf.save(ticket, "service_charge")
    wf.event(
        ticket,
        TicketEvent.EventKind.CHARGE,
        by=by,
        at=now,
        note=" ".join([str(price or "—"), _("paid-service order %(id)s") % {"id": order.pk}]),
    )
    order.ticket.service_charge = price


def bill_on_resolve(ticket: Ticket, *, by, now: dt.datetime) -> None:
    """repairs' ``ticket_resolved`` hook: a resolved paid-service ticket bills its charge once
    (a ticket without an order, e.g. a paid repair, bills on closing as before)."""
    if (
        ticket.service_charge
        and ticket.unit_id
        and ticket.charge_billed_at is None
        and Order.objects.filter(ticket_id=ticket.pk).exists()
    ):
        repair_services.ticket_paid_service_bill(ticket=ticket, by=by, now=now)


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("estate", "service", "ticket")
        .get(pk=order.pk)
    )


@transaction.atomic
def quote_set(*, order: Order, by, amount, now: dt.datetime | None = None) -> Order:
    """The price quoted on site. A new quote needs a new confirmation."""
    now = now or timezone.now()
    order = _lock(order)
    require(by, order.estate, "paidservices.order")
    if order.service.pricing != S.QUOTED:
        raise DomainError("invalid", _("This service has a fixed price."), field="amount")
    if order.ticket.status in (
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
        Ticket.Status.CANCELLED,
    ):
        raise DomainError("invalid_transition", _("The work is over; the price cannot change."))
    order.price, order.quoted_at = _amount(amount, "amount"), now
    order.quote_confirmed_at, order.quote_confirmed_by, order.quote_confirmation = None, None, ""
    order.save()
    _block_start(order)
    _charge(order, by=by, now=now)
    return order


@transaction.atomic
def quote_confirm(*, order: Order, by, how: str, now: dt.datetime | None = None) -> Order:
    """Record that the resident accepted the quote (when, who recorded it, how)."""
    now = now or timezone.now()
    order = _lock(order)
    require(by, order.estate, "paidservices.order")
    if order.service.pricing != S.QUOTED or order.price is None:
        raise DomainError("invalid", _("There is no quote to confirm."), field="how")
    if order.quote_confirmed_at is not None:
        raise DomainError("invalid_transition", _("The quote is already confirmed."))
    order.quote_confirmation = clean_text(how, field="how", max_length=200, required=True)
    order.quote_confirmed_at, order.quote_confirmed_by = now, by
    order.save()
    _block_start(order)
    _charge(order, by=by, now=now)
    return order


def start_refusal(order: Order) -> str | None:
    """Why the work may not start yet, or None: the one rule the staff page, the service and
    (once repairs offers a hook) the ticket page ask."""
    if order.service.pricing == S.QUOTED and order.quote_confirmed_at is None:
        return _("The resident has not confirmed the quote yet.")
    return None


@transaction.atomic
def order_start(*, order: Order, by, note: str = "", now: dt.datetime | None = None) -> Order:
    order = _lock(order)
    refusal = start_refusal(order)
    if refusal:
        raise DomainError("quote_unconfirmed", refusal, field="quote", status=409)
    repair_services.ticket_start(ticket=order.ticket, by=by, note=note, now=now)
    return order


@transaction.atomic
def order_resolve(
    *,
    order: Order,
    by,
    note: str = "",
    note_required: bool = False,
    now: dt.datetime | None = None,
) -> Order:
    """Resolve the work; repairs' resolution bills the price at once (``bill_on_resolve``).
    ``note_required``: as for ``ticket_resolve`` (the order page asks for the note)."""
    now = now or timezone.now()
    order = _lock(order)
    if order.price is None or start_refusal(order):
        raise DomainError("quote_unconfirmed", _("There is no confirmed price."), status=409)
    repair_services.ticket_resolve(
        ticket=order.ticket, by=by, note=note, note_required=note_required, now=now
    )
    return order
