"""KPI.md's community rates, each one aggregate query over its cohort. The cohorts and the
conditions are those of ``community.selectors``, which the drill-down page lists too."""

from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from community import selectors
from estate.kpi import (
    Cohort,
    Job,
    Metric,
    MonthBatch,
    Part,
    Period,
    Ratio,
    grouped,
    register_cohort,
    register_group,
)

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
    agg = selectors.signup_cohort(estate=estate, period=period).aggregate(**_attendance_counts())
    return _attendance_ratio([agg])


def _attendance_counts() -> dict:
    num, den = selectors.attendance_parts()
    return {"n": Count("id", filter=den & num), "d": Count("id", filter=den)}


def _attendance_ratio(rows: list[dict]) -> dict[str, Ratio]:
    row = rows[0] if rows else {}
    return {ATTENDANCE: Ratio(row.get("n"), row.get("d"))}


def _attendance_rows(batch: MonthBatch) -> QuerySet:
    cohort = selectors.signup_cohort(estate=batch.estate_ids, period=batch.span)
    return batch.group(
        cohort, "event__starts_at", estate_field="event__estate_id", **_attendance_counts()
    )


def attendance_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``attendance`` of many estate-months: one query grouped by estate and local month."""
    return grouped(jobs, compute=attendance, rows=_attendance_rows, build=_attendance_ratio)


def satisfaction(*, estate, period: Period) -> dict[str, Ratio]:
    """业主满意率: survey answers (all aspects) in the period rated 4 or 5 / those answers."""
    agg = selectors.answer_cohort(estate=estate, period=period).aggregate(**_satisfaction_counts())
    return _satisfaction_ratio([agg])


def _satisfaction_counts() -> dict:
    return {"n": Count("id", filter=selectors.satisfied()), "d": Count("id")}


def _satisfaction_ratio(rows: list[dict]) -> dict[str, Ratio]:
    row = rows[0] if rows else {}
    return {SATISFACTION: Ratio(row.get("n"), row.get("d"))}


def _satisfaction_rows(batch: MonthBatch) -> QuerySet:
    cohort = selectors.answer_cohort(estate=batch.estate_ids, period=batch.span)
    return batch.group(cohort, "answered_at", **_satisfaction_counts())


def satisfaction_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``satisfaction`` of many estate-months: one query grouped by estate and local month."""
    return grouped(jobs, compute=satisfaction, rows=_satisfaction_rows, build=_satisfaction_ratio)


def register() -> None:
    register_group(
        [Metric(ATTENDANCE, "活动出席率", "Event attendance rate", link=link(ATTENDANCE))],
        attendance,
        compute_many=attendance_many,
    )
    register_group(
        [
            Metric(
                SATISFACTION, "业主满意率", "Residents' satisfaction rate", link=link(SATISFACTION)
            )
        ],
        satisfaction,
        compute_many=satisfaction_many,
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
            month_field="event__starts_at",
            estate_field="event__estate_id",
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
            month_field="answered_at",
        )
    )
