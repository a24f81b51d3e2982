"""Writes of training records."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from estate.assessment.models import TrainingAttendance, TrainingSession
from estate.errors import DomainError
from estate.models import Estate, Membership
from estate.scoping import require
from estate.validators import clean_text


@transaction.atomic
def training_record(
    *,
    estate: Estate,
    by,
    title: str,
    date: dt.date,
    trainer: str,
    passed: list[int],
    failed: list[int] = (),
) -> TrainingSession:
    """A training session with its attendees, each passed or not; every attendee must be on
    the estate's staff."""
    require(by, estate, "assessment.view_staff")
    if not isinstance(date, dt.date) or not 2000 <= date.year <= 2100:
        raise DomainError("invalid", _("Give the date of the session."), field="date")
    people = [*passed, *failed]
    if not people:
        raise DomainError("invalid", _("Give at least one attendee."), field="passed")
    if set(passed) & set(failed):
        raise DomainError("invalid", _("An attendee either passed or not."), field="failed")
    staff = set(
        Membership.objects.filter(estate=estate, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    if staff != set(people):
        raise DomainError("invalid", _("Every attendee must be on this estate's staff."), "passed")
    session = TrainingSession.objects.create(
        estate=estate,
        title=clean_text(title, field="title", max_length=100, required=True),
        date=date,
        trainer=clean_text(trainer, field="trainer", max_length=50, required=True),
    )
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(session=session, user_id=u, passed=True) for u in passed]
        + [TrainingAttendance(session=session, user_id=u, passed=False) for u in failed]
    )
    return session
