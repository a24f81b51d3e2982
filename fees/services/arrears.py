"""Writes about arrears: reminders to pay (催缴) and the daily list of units to remind."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from estate.errors import DomainError
from estate.localtime import local_date
from estate.models import Estate, Notification, Role, Unit
from estate.scoping import require
from estate.services import notify_roles
from estate.validators import clean_text
from fees import permissions as perm
from fees import selectors
from fees.models import Reminder

MAX_FUTURE = dt.timedelta(minutes=10)


@transaction.atomic
def reminder_record(
    *,
    unit: Unit,
    channel: str,
    by,
    note: str = "",
    promised_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Reminder:
    """Write down a reminder to pay (催缴): how the unit was reached and what was promised."""
    require(by, unit.estate_id, perm.REMINDER_RECORD)
    if channel not in Reminder.Channel.values:
        raise DomainError("invalid", _("Unknown way of reminding."), field="channel")
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at) or at > now + MAX_FUTURE:
        raise DomainError("invalid", _("A reminder cannot be in the future."), field="at")
    if promised_date is not None and promised_date < local_date(at, unit.estate):
        raise DomainError(
            "invalid", _("A promised date cannot be before the reminder."), field="promised_date"
        )
    return Reminder.objects.create(
        estate_id=unit.estate_id,
        unit=unit,
        at=at,
        channel=channel,
        note=clean_text(note, field="note", max_length=500),
        promised_date=promised_date,
        created_by=by,
    )


def reminders_due_notify(*, now: dt.datetime | None = None) -> int:
    """Tell each estate's finance staff how many units are in arrears and not reminded
    lately, with a link to them; returns the number of units over all estates."""
    now = now or timezone.now()
    total = 0
    for estate in Estate.objects.order_by("code"):
        today = local_date(now, estate)
        count = selectors.units_to_remind(estate=estate, today=today).count()
        if not count:
            continue
        total += count
        link = f"{reverse('fees:bills')}?estate={estate.code}&paid=open&due_to={today}"
        if Notification.objects.filter(estate=estate, link=link).exists():
            continue  # told already today (a re-run): once a day, so a run is idempotent
        with override("zh-hans"):
            title = _("%(n)d units in arrears to remind") % {"n": count}
        notify_roles(estate=estate, roles=[Role.FINANCE, Role.ADMIN], title=title, link=link)
    return total
