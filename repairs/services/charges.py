"""Paid services (特约服务): the charge on a repair inside a unit, billed in fees/ on closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.validators import clean_text
from repairs import workflow as wf
from repairs.models import (
    Ticket,
    TicketEvent,
)

E = TicketEvent.EventKind
NOTE_MAX = 500


@transaction.atomic
def ticket_charge_set(
    *, ticket: Ticket, by, amount, note: str = "", now: dt.datetime | None = None
) -> Ticket:
    """Make a repair inside a unit a paid service (or clear the charge with ``None``). The
    charge becomes a bill when the ticket is closed."""
    now = now or timezone.now()
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    if amount is not None and amount != "":
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            raise DomainError("invalid", _("Enter an amount in yuan."), field="amount") from None
        if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
            raise DomainError(
                "invalid", _("Enter a positive amount with at most 2 decimals."), field="amount"
            )
        if amount >= Decimal("1e10"):
            raise DomainError("invalid", _("This amount is too large."), field="amount")
    else:
        amount = None
    ticket = wf.lock(ticket)
    wf.check(ticket, "charge", by, now=now)
    ticket.service_charge = amount
    wf.save(ticket, "service_charge")
    wf.event(
        ticket, E.CHARGE, by=by, at=now, note=" ".join(filter(None, [str(amount or "—"), note]))
    )
    return ticket


def ticket_paid_service_bill(*, ticket: Ticket, by, now: dt.datetime | None = None):
    """Turn a closed paid service into a one-off bill in fees/ (called by ``ticket_close``)."""
    from fees.services import bill_one_off_create

    bill = bill_one_off_create(
        estate=ticket.estate,
        unit=ticket.unit,
        amount=ticket.service_charge,
        kind="paid_service",
        description=_("Paid service %(number)s: %(category)s")
        % {"number": ticket.number, "category": ticket.category.label},
        source_ref=ticket.number,
        by=by,
    )
    ticket.charge_billed_at = now or timezone.now()
    wf.save(ticket, "charge_billed_at")
    return bill
