"""Return visits (回访): staff calls after resolution, the resident's own rating, and the
monthly quality sample. Re-exported by ``repairs.services``.

KPI.md: a visit counts once the resident was reached; a ticket's ``return_visited_at`` and
``return_visit_rating`` are those of its latest reached visit, the rating staying until a newer
visit gives one."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Estate
from estate.validators import clean_text
from repairs import workflow as wf
from repairs.models import ReturnVisit, ReturnVisitSample, ReturnVisitSampleRun, Ticket, TicketEvent
from repairs.services.transitions import ticket_reopen

S = Ticket.Status
E = TicketEvent.EventKind
COMMENT_MAX = 1000


def _apply(ticket: Ticket, visit: ReturnVisit) -> None:
    """A reached visit becomes the ticket's latest; its rating replaces the older one."""
    if not visit.reached:
        return
    if ticket.return_visited_at is None or visit.at >= ticket.return_visited_at:
        ticket.return_visited_at = visit.at
        fields = ["return_visited_at"]
        if visit.rating is not None:
            ticket.return_visit_rating = visit.rating
            fields.append("return_visit_rating")
        wf.save(ticket, *fields)
    ReturnVisitSample.objects.filter(ticket=ticket, visit__isnull=True).update(visit=visit)


@transaction.atomic
def return_visit_record(
    *,
    ticket: Ticket,
    by,
    reached: bool,
    solved: bool | None = None,
    rating: int | None = None,
    comment: str = "",
    reopen: bool = False,
    now: dt.datetime | None = None,
) -> ReturnVisit:
    """One call to the resident after resolution (回访). An attempt that did not reach the
    resident is kept in the history but counts for no rate. ``reopen``: the resident says it
    is not solved, and the ticket goes straight back to work in the same step (the comment is
    the reopening's reason; the reopening window and role apply as for a reopen)."""
    now = now or timezone.now()
    rating = wf.rating(rating)
    comment = clean_text(comment, field="comment", max_length=COMMENT_MAX)
    if not reached and (solved is not None or rating is not None):
        raise DomainError(
            "invalid", _("A call that did not reach the resident has no answers."), field="reached"
        )
    if reopen and not (reached and solved is False):
        raise DomainError(
            "invalid",
            _("Only a visit that found the problem not solved can reopen the ticket."),
            field="reopen",
        )
    ticket = wf.lock(ticket)
    wf.check(ticket, "visit", by, now=now)
    if reopen:
        wf.check(ticket, "reopen", by, now=now)
    visit = ReturnVisit.objects.create(
        ticket=ticket,
        estate_id=ticket.estate_id,
        at=now,
        by=by,
        reached=bool(reached),
        solved=solved if reached else None,
        rating=rating,
        comment=comment,
    )
    _apply(ticket, visit)
    parts = [_("reached") if reached else _("not reached")]
    if solved is not None:
        parts.append(_("solved") if solved else _("not solved"))
    if rating is not None:
        parts.append(f"{rating}/5")
    if comment:
        parts.append(comment)
    wf.event(ticket, E.RETURN_VISIT, by=by, at=now, note=" · ".join(parts))
    if reopen:
        reason = _("Return visit: not solved.") + (f" {comment}" if comment else "")
        ticket_reopen(ticket=ticket, by=by, reason=reason[:500], now=now)
    return visit


@transaction.atomic
def ticket_rate_by_resident(
    *, ticket: Ticket, rating: int, comment: str = "", now: dt.datetime | None = None
) -> ReturnVisit:
    """The resident's own rating (from the tracking page), once per resolution: it counts as a
    reached return visit."""
    now = now or timezone.now()
    rating = wf.rating(rating)
    if rating is None:
        raise DomainError("invalid", _("Choose a rating from 1 to 5."), field="rating")
    comment = clean_text(comment, field="comment", max_length=COMMENT_MAX)
    ticket = wf.lock(ticket)
    wf.check(ticket, "rate", None, now=now)
    visit = ReturnVisit.objects.create(
        ticket=ticket,
        estate_id=ticket.estate_id,
        at=now,
        by=None,
        by_resident=True,
        reached=True,
        rating=rating,
        comment=comment,
    )
    _apply(ticket, visit)
    wf.event(ticket, E.RATED, by=None, at=now, note=f"{rating}/5 {comment}".strip())
    return visit


def sample_size(population: int, *, percent: float | None = None, minimum: int | None = None):
    """10% of the resolved tickets (``REPAIRS_SAMPLE_PERCENT``), at least 5
    (``REPAIRS_SAMPLE_MIN``), never more than there are."""
    percent = getattr(settings, "REPAIRS_SAMPLE_PERCENT", 10) if percent is None else percent
    minimum = getattr(settings, "REPAIRS_SAMPLE_MIN", 5) if minimum is None else minimum
    return min(population, max(minimum, math.ceil(population * percent / 100)))


def return_visit_sample_create(
    *,
    estate: Estate,
    period: Period,
    percent: float | None = None,
    minimum: int | None = None,
    rng: random.Random | None = None,
) -> ReturnVisitSampleRun:
    """Pick at random the month's resolved tickets of one estate for quality return visits.
    Idempotent: the month's run row is unique, so a second (or concurrent) run returns the
    first one's sample unchanged. ``rng`` only for reproducible demo data."""
    return _sample(estate, period, percent, minimum, rng)[0]


def _sample(estate, period, percent, minimum, rng=None) -> tuple[ReturnVisitSampleRun, bool]:
    existing = ReturnVisitSampleRun.objects.filter(estate=estate, period=period.label).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            ids = list(
                Ticket.objects.filter(
                    estate=estate,
                    status__in=[S.RESOLVED, S.CLOSED],
                    resolved_at__gte=period.start,
                    resolved_at__lt=period.end,
                )
                .exclude(kind=Ticket.Kind.RECTIFICATION)  # internal: no resident to call
                .order_by("id")
                .values_list("id", flat=True)
            )
            run = ReturnVisitSampleRun.objects.create(
                estate=estate, period=period.label, population=len(ids), created_at=period.now
            )
            picked = (rng or secrets.SystemRandom()).sample(
                ids, sample_size(len(ids), percent=percent, minimum=minimum)
            )
            ReturnVisitSample.objects.bulk_create(
                [ReturnVisitSample(run=run, estate=estate, ticket_id=i) for i in sorted(picked)]
            )
            return run, True
    except IntegrityError:
        return ReturnVisitSampleRun.objects.get(estate=estate, period=period.label), False


def return_visit_samples_create_all(*, now: dt.datetime | None = None) -> int:
    """The previous month's sample of every estate (the monthly task). Returns how many
    estates got a new sample."""
    now = now or timezone.now()
    made = 0
    for estate in Estate.objects.all():
        period = Period.containing(estate.tz, now, now=now).previous()
        made += _sample(estate, period, None, None)[1]
    return made
