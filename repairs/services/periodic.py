"""Periodic work: flagging (and unflagging) overdue tickets, once per ticket; folding the
ticket tallies (``TicketTally``) into one row per key."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.models import Estate
from repairs import selectors, tallies
from repairs import workflow as wf
from repairs.models import (
    Ticket,
    TicketEvent,
)

E = TicketEvent.EventKind


def tickets_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag tickets that just passed a running deadline (one history entry each, one notice
    per estate to its managers) and unflag those no longer overdue. Running it twice, or
    twice at once, flags and notifies once. Returns how many were flagged."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            selectors.tickets_to_flag(now=now)
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", "estate_id", "number")
        )
        ids = [r[0] for r in rows]
        Ticket.objects.filter(pk__in=ids).update(is_overdue=True)
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket_id=i, estate_id=e, kind=E.OVERDUE, at=now) for i, e, _n in rows],
            batch_size=2000,
        )
        by_estate: dict[int, list[str]] = {}
        for _i, estate_id, number in rows:
            by_estate.setdefault(estate_id, []).append(number)
        for estate in Estate.objects.filter(pk__in=list(by_estate)):
            numbers = by_estate[estate.pk]
            wf.escalate(
                estate=estate,
                title=_("%(n)d tickets became overdue") % {"n": len(numbers)},
                body=", ".join(numbers[:50]) + (" …" if len(numbers) > 50 else ""),
                link=f"{reverse('repairs:queue')}?estate={estate.code}&overdue=1",
            )
    selectors.tickets_to_unflag(now=now).update(is_overdue=False)
    return len(rows)


def ticket_tallies_compact(*, estate_ids: list[int] | None = None) -> int:
    """Fold the ticket tallies of these estates (None: every estate) into one row per key
    (``repairs.tallies.compact``). Returns how many rows were folded away."""
    return tallies.compact(estate_ids=estate_ids)
