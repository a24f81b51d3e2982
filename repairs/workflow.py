"""The rules every ticket write shares: the row lock, the allowed-status check and its 409,
the history entry, validation of choices, numbering and escalation to managers.

Used by ``repairs/services.py`` (the transitions) and ``repairs/visits.py`` (return visits)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate.errors import DomainError
from estate.models import Estate, Role
from estate.scoping import require
from estate.services import notify_managers
from repairs.models import Ticket, TicketEvent, TicketSequence

NUMBER_PREFIX = {
    Ticket.Kind.REPAIR: "BX",
    Ticket.Kind.COMPLAINT: "TS",
    Ticket.Kind.SUGGESTION: "JY",
    Ticket.Kind.RECTIFICATION: "ZG",
}

ACTION_LABELS = {
    "accept": gettext_lazy("accepted"),
    "dispatch": gettext_lazy("dispatched"),
    "start": gettext_lazy("started"),
    "hold": gettext_lazy("put on hold"),
    "resume": gettext_lazy("resumed"),
    "resolve": gettext_lazy("resolved"),
    "close": gettext_lazy("closed"),
    "reopen": gettext_lazy("reopened"),
    "cancel": gettext_lazy("cancelled"),
    "visit": gettext_lazy("given a return visit"),
}


def lock(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock held until the transaction ends."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("estate", "category")
        .get(pk=ticket.pk)
    )


def allow(ticket: Ticket, action: str, allowed) -> None:
    """Refuse an action the ticket's status does not allow (409 ``invalid_transition``)."""
    if ticket.status not in allowed:
        raise DomainError(
            "invalid_transition",
            _("Ticket %(number)s is %(status)s; it cannot be %(action)s.")
            % {
                "number": ticket.number,
                "status": ticket.get_status_display(),
                "action": ACTION_LABELS[action],
            },
            field="status",
        )


def staff(by, estate: Estate, action: str) -> None:
    """Staff only (``by`` set), and only with a role that allows the action."""
    if by is None:
        raise DomainError("forbidden", _("Only staff may do this."), status=403)
    require(by, estate, action)


def event(ticket: Ticket, kind: str, *, by, at, old: str = "", note: str = "") -> TicketEvent:
    """One history entry; ``old`` is the status before a transition."""
    return TicketEvent.objects.create(
        ticket=ticket,
        estate_id=ticket.estate_id,
        kind=kind,
        from_status=old,
        to_status=ticket.status if old or kind == TicketEvent.EventKind.CREATED else "",
        by=by,
        at=at,
        note=note,
    )


def save(ticket: Ticket, *fields: str) -> None:
    ticket.save(update_fields=[*fields, "updated_at"])


def choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            "invalid",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": repr(value), "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def rating(value, field: str = "rating") -> int | None:
    """A 1-5 rating, or None when not given."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5 or str(value).strip() != str(number):
        raise DomainError("invalid", _("A rating is a whole number from 1 to 5."), field=field)
    return number


def ticket_link(ticket: Ticket) -> str:
    return f"{reverse('repairs:queue')}?q={ticket.number}"


def escalate(*, estate: Estate, title: str, body: str, link: str) -> None:
    """Managers get an in-app notice, and an e-mail (after commit) where they have an
    address and Django's mail backend is configured."""
    notify_managers(estate=estate, title=title, body=body, link=link)
    emails = list(
        get_user_model()
        .objects.filter(
            memberships__estate=estate,
            memberships__role__in=[Role.MANAGER, Role.ADMIN],
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if emails:
        transaction.on_commit(
            lambda: send_mail(title, f"{body}\n{link}", None, emails, fail_silently=True)
        )


def next_number(estate: Estate, kind: str, at: dt.datetime) -> str:
    """``BX-HY01-2610-0042``: kind, estate, local year and month, sequence. The counter row
    stays locked until the creating transaction ends, so two tickets never share a number."""
    prefix = NUMBER_PREFIX[kind]
    month = at.astimezone(estate.tz).strftime("%y%m")
    key = {"estate": estate, "prefix": prefix, "month": month}
    for _attempt in range(3):
        if TicketSequence.objects.filter(**key).update(last=F("last") + 1):
            break
        try:
            with transaction.atomic():
                TicketSequence.objects.create(**key, last=1)
            break
        except IntegrityError:
            continue
    last = TicketSequence.objects.filter(**key).values_list("last", flat=True).get()
    return f"{prefix}-{estate.code}-{month}-{last:04d}"
