"""KPI.md's community rates, each one aggregate query over its cohort. The cohorts and the
conditions are those of ``community.selectors``, which the drill-down page lists too."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from community import selectors
from estate.kpi import Cohort, Metric, Part, Period, Ratio, register_cohort, register_group

ATTENDANCE = "community.event_attendance_rate"
SATISFACTION = "community.survey_satisfaction_rate"


def link(key: str):
    """The page listing the sign-ups or answers behind a rate's numerator or denominator."""

    def make(estate, period: Period, part: str) -> str:
        query = {"estate": estate.code, "period": period.label, "metric": key, "part": part}
        return f"{reverse('community:metric_records')}?{urlencode(query)}"

    return make


def attendance(*, estate, period: Period) -> dict[str, Ratio]:
    """活动出席率: confirmed sign-ups marked attended / confirmed sign-ups, for the events
    that started in the period."""
    num, den = selectors.attendance_parts()
    agg = selectors.signup_cohort(estate=estate, period=period).aggregate(
        n=Count("id", filter=den & num), d=Count("id", filter=den)
    )
    return {ATTENDANCE: Ratio(agg["n"], agg["d"])}


def satisfaction(*, estate, period: Period) -> dict[str, Ratio]:
    """业主满意率: survey answers (all aspects) in the period rated 4 or 5 / those answers."""
    agg = selectors.answer_cohort(estate=estate, period=period).aggregate(
        n=Count("id", filter=selectors.satisfied()), d=Count("id")
    )
    return {SATISFACTION: Ratio(agg["n"], agg["d"])}


def register() -> None:
    register_group(
        [Metric(ATTENDANCE, "活动出席率", "Event attendance rate", link=link(ATTENDANCE))],
        attendance,
    )
    register_group(
        [
            Metric(
                SATISFACTION, "业主满意率", "Residents' satisfaction rate", link=link(SATISFACTION)
            )
        ],
        satisfaction,
    )
    num, den = selectors.attendance_parts()
    register_cohort(
        Cohort(
            source="community.signup",
            parts=(Part(ATTENDANCE, "numerator"), Part(ATTENDANCE, "denominator")),
            rows=selectors.signup_cohort,
            conditions=lambda period: {
                (ATTENDANCE, "numerator"): (den & num, None),
                (ATTENDANCE, "denominator"): (den, None),
            },
        )
    )
    register_cohort(
        Cohort(
            source="community.answer",
            parts=(Part(SATISFACTION, "numerator"), Part(SATISFACTION, "denominator")),
            rows=selectors.answer_cohort,
            conditions=lambda period: {
                (SATISFACTION, "numerator"): (selectors.satisfied(), None),
                (SATISFACTION, "denominator"): (Q(pk__isnull=False), None),
            },
        )
    )
