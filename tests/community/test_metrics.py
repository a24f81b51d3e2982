"""Both community rates on hand-built data (estate HY01, Asia/Shanghai, period 2026-10)."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from community import metrics, selectors
from community.models import Event, SignUp, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from estate import kpi
from estate.kpi import Period
from tests.factories import make_unit

SH = ZoneInfo("Asia/Shanghai")


def _event(estate, starts):
    return Event.objects.create(
        estate=estate,
        title="x",
        place="会所",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=50,
        signup_opens_at=starts - dt.timedelta(days=10),
        signup_closes_at=starts - dt.timedelta(hours=1),
    )


_tokens = itertools.count(1)


def _signup(event, status, attended=False):
    return SignUp.objects.create(
        event=event,
        name="x",
        phone_index="x",
        status=status,
        channel="desk",
        token=f"t{next(_tokens)}",
        attended_at=event.starts_at if attended else None,
    )


def test_event_attendance_rate_by_hand(estate_a):
    period = Period.month(SH, "2026-10", now=dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH))
    october = _event(estate_a, dt.datetime(2026, 10, 31, 23, 0, tzinfo=SH))  # local 23:00, Oct
    november = _event(estate_a, dt.datetime(2026, 11, 1, 0, 0, tzinfo=SH))
    for attended in (True, True, True, False, False):
        _signup(october, "confirmed", attended)
    _signup(october, "waitlisted")
    _signup(october, "cancelled")
    _signup(november, "confirmed", True)
    ratio = metrics.attendance(estate=estate_a, period=period)[metrics.ATTENDANCE]
    assert (ratio.numerator, ratio.denominator, ratio.rate) == (3, 5, Decimal("0.6000"))
    # Computed on 10-20, the event of 10-31 has not started: nothing to judge yet.
    early = Period.month(SH, "2026-10", now=dt.datetime(2026, 10, 20, tzinfo=SH))
    assert metrics.attendance(estate=estate_a, period=early)[metrics.ATTENDANCE].rate is None
    num = selectors.metric_records(
        estate=estate_a, period=period, key=metrics.ATTENDANCE, part="numerator"
    )
    den = selectors.metric_records(
        estate=estate_a, period=period, key=metrics.ATTENDANCE, part="denominator"
    )
    assert (num.count(), den.count()) == (3, 5)


def test_survey_satisfaction_rate_by_hand(estate_a, estate_b):
    period = Period.month(SH, "2026-10", now=dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH))
    survey = Survey.objects.create(
        estate=estate_a,
        title="s",
        period="2026-Q4",
        opens_at=dt.datetime(2026, 9, 1, tzinfo=SH),
        closes_at=dt.datetime(2026, 12, 1, tzinfo=SH),
        token="tok",
    )
    questions = [
        SurveyQuestion.objects.create(survey=survey, aspect=a, text=a)
        for a in ("repairs", "fees", "overall")
    ]

    def answer(at, ratings, estate=estate_a):
        response = SurveyResponse.objects.create(
            survey=survey, unit=make_unit(estate_a), channel="web", answered_at=at
        )
        for q, r in zip(questions, ratings, strict=True):
            SurveyAnswer.objects.create(
                response=response,
                survey=survey,
                estate=estate,
                question=q,
                aspect=q.aspect,
                rating=r,
                answered_at=at,
            )

    answer(dt.datetime(2026, 10, 1, 0, 0, tzinfo=SH), (5, 4, 3))  # 2 satisfied of 3
    answer(dt.datetime(2026, 10, 31, 23, 59, tzinfo=SH), (1, 2, 4))  # 1 of 3
    answer(dt.datetime(2026, 9, 30, 23, 59, tzinfo=SH), (5, 5, 5))  # September
    answer(dt.datetime(2026, 10, 15, tzinfo=SH), (5, 5, 5), estate=estate_b)  # other estate
    ratio = metrics.satisfaction(estate=estate_a, period=period)[metrics.SATISFACTION]
    assert (ratio.numerator, ratio.denominator, ratio.rate) == (3, 6, Decimal("0.5000"))
    assert kpi.get(metrics.SATISFACTION).label_zh == "业主满意率"
    assert kpi.get(metrics.ATTENDANCE).label_zh == "活动出席率"
    num = selectors.metric_records(
        estate=estate_a, period=period, key=metrics.SATISFACTION, part="numerator"
    )
    assert num.count() == 3


def test_no_records_give_no_rate(estate_a):
    period = Period.month(SH, "2026-10")
    assert metrics.attendance(estate=estate_a, period=period)[metrics.ATTENDANCE].rate is None
    assert metrics.satisfaction(estate=estate_a, period=period)[metrics.SATISFACTION].rate is None
