"""Reads of the community app: the residents' announcements, staff lists, event counts, the
check-in search, survey results, and the cohorts and conditions behind the two rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Announcement, Aspect, Event, SignUp, Survey, SurveyAnswer
from estate import kpi_selectors
from estate.errors import DomainError
from estate.kpi import Period, estate_lookup
from estate.models import Estate

# Announcements ---------------------------------------------------------------------------------


def announcements_current(*, estate: Estate, now=None, limit: int = 10) -> QuerySet[Announcement]:
    """Published and not yet expired: pinned first, then newest first."""
    now = now or timezone.now()
    return Announcement.objects.filter(
        Q(expire_at__isnull=True) | Q(expire_at__gt=now), estate=estate, publish_at__lte=now
    ).order_by("-pinned", "-publish_at")[:limit]


ANNOUNCEMENT_STATES = ("current", "scheduled", "expired")


def announcements_staff(*, estate: Estate, state: str = "", now=None) -> QuerySet[Announcement]:
    """The staff list: every announcement of the estate, or those current / scheduled /
    expired at ``now``."""
    now = now or timezone.now()
    qs = Announcement.objects.filter(estate=estate)
    if state == "current":
        qs = qs.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now), publish_at__lte=now)
    elif state == "scheduled":
        qs = qs.filter(publish_at__gt=now)
    elif state == "expired":
        qs = qs.filter(expire_at__lte=now)
    return qs.order_by("-pinned", "-publish_at")


def announcement_state(announcement: Announcement, now=None) -> str:
    now = now or timezone.now()
    if announcement.publish_at > now:
        return "scheduled"
    if announcement.expire_at is not None and announcement.expire_at <= now:
        return "expired"
    return "current"


# Events ----------------------------------------------------------------------------------------
def attendance_parts() -> tuple[Q, Q]:
    """KPI.md's 活动出席率 on sign-ups: (numerator, denominator) within the cohort —
    confirmed sign-ups marked attended, of the confirmed sign-ups."""
    confirmed = Q(status=SignUp.Status.CONFIRMED)
    return confirmed & Q(attended_at__isnull=False), confirmed


def events_with_counts(
    *, estate: Estate, starts_from: dt.datetime | None = None, starts_to: dt.datetime | None = None
) -> QuerySet[Event]:
    """The estate's events (starting in [from, to) when given), each with
    ``confirmed_count`` and ``attended_count`` (sign-ups, as KPI.md counts them) and
    ``waitlisted_count``, in one query."""
    qs = Event.objects.filter(estate=estate)
    if starts_from is not None:
        qs = qs.filter(starts_at__gte=starts_from)
    if starts_to is not None:
        qs = qs.filter(starts_at__lt=starts_to)
    return qs.annotate(
        confirmed_count=Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED)),
        attended_count=Count(
            "signups",
            filter=Q(signups__status=SignUp.Status.CONFIRMED, signups__attended_at__isnull=False),
        ),
        waitlisted_count=Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED)),
    ).order_by("starts_at", "id")


def events_open_for_signup(*, estate: Estate, now=None) -> QuerySet[Event]:
    """What residents see on the estate page: events not yet started, not cancelled."""
    now = now or timezone.now()
    return Event.objects.filter(
        estate=estate, cancelled_at__isnull=True, starts_at__gt=now
    ).order_by("starts_at")[:20]


def signups_of(*, event: Event, q: str = "") -> QuerySet[SignUp]:
    """An event's sign-ups in order (confirmed, then the wait list, then cancelled), found by
    name or unit number."""
    qs = SignUp.objects.filter(event=event).select_related("unit")
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__number__icontains=q))
    rank = Case(
        When(status=SignUp.Status.CONFIRMED, then=Value(0)),
        When(status=SignUp.Status.WAITLISTED, then=Value(1)),
        default=Value(2),
    )
    return qs.order_by(rank, "created_at", "id")


def signup_counts(*, event: Event) -> dict:
    """Sign-ups and people by status, and how many checked in: one query."""
    num, den = attendance_parts()
    return SignUp.objects.filter(event=event).aggregate(
        confirmed=Count("id", filter=den),
        attended=Count("id", filter=num),
        waitlisted=Count("id", filter=Q(status=SignUp.Status.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=SignUp.Status.CANCELLED)),
    )


def bills_to_void(*, event: Event) -> QuerySet[SignUp]:
    """Cancelled sign-ups whose bill is still live and unpaid: cancelled by someone who may
    not void bills, so finance voids them from the unit's account (one query)."""
    return (
        SignUp.objects.filter(
            event=event,
            status=SignUp.Status.CANCELLED,
            bill__isnull=False,
            bill__voided_at__isnull=True,
            bill__amount_paid=0,
        )
        .select_related("bill", "unit")
        .order_by("cancelled_at", "id")
    )


def signup_cohort(*, estate: Estate | list, period: Period) -> QuerySet[SignUp]:
    """KPI.md's cohort for 活动出席率: sign-ups of the events that started in the period (an
    event still to start at ``now`` has no attendance to judge yet); of one estate or a list."""
    return SignUp.objects.filter(
        **estate_lookup(estate, "event__estate"),
        event__starts_at__gte=period.start,
        event__starts_at__lt=period.end,
        event__starts_at__lte=period.now,
    )


# Surveys ---------------------------------------------------------------------------------------
def satisfied() -> Q:
    """KPI.md: satisfied means a rating of 4 or 5."""
    return Q(rating__gte=4)


def answer_cohort(*, estate: Estate | list, period: Period) -> QuerySet[SurveyAnswer]:
    """KPI.md's cohort for 业主满意率: survey answers (all aspects) given in the period (of one
    estate, or of a list of them)."""
    return SurveyAnswer.objects.filter(
        **estate_lookup(estate), answered_at__gte=period.start, answered_at__lt=period.end
    )


METRIC_KEYS = ("community.event_attendance_rate", "community.survey_satisfaction_rate")
PARTS = ("numerator", "denominator")


def metric_records(
    *, estate: Estate, period: Period, key: str, part: str, snapshot=None
) -> QuerySet:
    """The records counted in a rate's numerator or denominator (the drill-down list); with
    ``snapshot`` (a stored snapshot's id), exactly those it counted."""
    if key not in METRIC_KEYS:
        raise DomainError(
            "invalid", _("There is no metric %(key)s.") % {"key": key}, field="metric"
        )
    if part not in PARTS:
        raise DomainError("invalid", _("Choose numerator or denominator."), field="part")
    model = SignUp if key == "community.event_attendance_rate" else SurveyAnswer
    stored = kpi_selectors.stored_records(
        estate=estate, snapshot=snapshot, key=key, part=part, model=model
    )
    if stored is not None:
        if model is SignUp:
            return (
                stored.filter(event__estate=estate)
                .select_related("event", "unit")
                .order_by("event__starts_at", "id")
            )
        return (
            stored.filter(estate=estate)
            .select_related("response__unit", "survey")
            .order_by("answered_at", "id")
        )
    if key == "community.event_attendance_rate":
        num, den = attendance_parts()
        return (
            signup_cohort(estate=estate, period=period)
            .filter(den & num if part == "numerator" else den)
            .select_related("event", "unit")
            .order_by("event__starts_at", "id")
        )
    qs = answer_cohort(estate=estate, period=period)
    if part == "numerator":
        qs = qs.filter(satisfied())
    return qs.select_related("response__unit", "survey").order_by("answered_at", "id")


@dataclass
class AspectResult:
    aspect: str
    label: str
    count: int
    satisfied: int
    distribution: list[int]  # answers rated 1..5
    previous_share: float | None

    @property
    def share(self) -> float | None:
        return self.satisfied / self.count if self.count else None

    @property
    def share_pct(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f}%"

    @property
    def previous_pct(self) -> str:
        return "—" if self.previous_share is None else f"{self.previous_share * 100:.1f}%"

    @property
    def change_pts(self) -> str:
        return "—" if self.change is None else f"{self.change * 100:+.1f}"

    @property
    def change(self) -> float | None:
        if self.share is None or self.previous_share is None:
            return None
        return self.share - self.previous_share


def survey_previous(survey: Survey) -> Survey | None:
    """The estate's survey of the same kind before this one."""
    return (
        Survey.objects.filter(
            estate_id=survey.estate_id, kind=survey.kind, opens_at__lt=survey.opens_at
        )
        .order_by("-opens_at")
        .first()
    )


def _distribution(survey: Survey | None) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    if survey is None:
        return out
    rows = (
        SurveyAnswer.objects.filter(survey=survey)
        .values("aspect", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        out.setdefault(row["aspect"], [0] * 5)[row["rating"] - 1] = row["n"]
    return out


def survey_results(survey: Survey) -> tuple[list[AspectResult], Survey | None]:
    """Per aspect: answers, share satisfied, the 1-5 distribution, and the previous survey's
    share (one grouped query per survey)."""
    previous = survey_previous(survey)
    now_dist, before = _distribution(survey), _distribution(previous)
    asked = list(survey.questions.values_list("aspect", flat=True))
    labels = dict(Aspect.choices)
    results = []
    for aspect in asked:
        dist = now_dist.get(aspect, [0] * 5)
        prev = before.get(aspect)
        prev_share = (sum(prev[3:]) / sum(prev)) if prev and sum(prev) else None
        results.append(
            AspectResult(
                aspect=aspect,
                label=str(labels[aspect]),
                count=sum(dist),
                satisfied=sum(dist[3:]),
                distribution=dist,
                previous_share=prev_share,
            )
        )
    return results, previous


def survey_comments(survey: Survey, limit: int = 200) -> QuerySet[SurveyAnswer]:
    return (
        SurveyAnswer.objects.filter(survey=survey)
        .exclude(comment="")
        .select_related("response__unit")
        .order_by("-answered_at", "id")[:limit]
    )
