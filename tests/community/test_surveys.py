import datetime as dt

import pytest
from django.utils import timezone

from community import selectors, services
from community.models import CallSample, Survey, SurveyAnswer, SurveyResponse
from estate.errors import DomainError
from tests.factories import make_unit


def _survey(estate, **kw):
    now = timezone.now()
    return services.survey_create(
        estate=estate,
        title=kw.pop("title", "2026年第四季度满意度调查"),
        period=kw.pop("period", "2026-Q4"),
        opens_at=kw.pop("opens_at", now - dt.timedelta(days=1)),
        closes_at=kw.pop("closes_at", now + dt.timedelta(days=30)),
        **kw,
    )


def _all(rating, survey):
    return {q.aspect: rating for q in survey.questions.all()}


def test_second_answer_for_the_same_unit_is_refused_and_nothing_saved(estate_a):
    survey = _survey(estate_a)
    unit = make_unit(estate_a, "1-1-101")
    services.survey_answer_submit(survey=survey, unit=unit, ratings=_all(5, survey))
    with pytest.raises(DomainError) as err:
        services.survey_answer_submit(
            survey=survey, unit=unit, ratings=_all(1, survey), channel="paper"
        )
    assert err.value.field == "unit"
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.filter(rating=1).count() == 0


def test_a_rating_of_six_is_refused_and_nothing_saved(estate_a):
    survey = _survey(estate_a)
    ratings = _all(4, survey)
    ratings["fees"] = 6
    with pytest.raises(DomainError) as err:
        services.survey_answer_submit(survey=survey, unit=make_unit(estate_a), ratings=ratings)
    assert err.value.field == "rating_fees"
    assert not SurveyResponse.objects.exists()


def test_closed_survey_link_is_refused_but_staff_may_enter_a_paper_form(estate_a):
    now = timezone.now()
    survey = _survey(
        estate_a, opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1)
    )
    unit = make_unit(estate_a)
    with pytest.raises(DomainError):
        services.survey_answer_submit(survey=survey, unit=unit, ratings=_all(4, survey))
    services.survey_answer_submit(
        survey=survey, unit=unit, ratings=_all(4, survey), channel="paper"
    )


def test_results_per_aspect_compared_with_the_previous_survey(estate_a):
    now = timezone.now()
    before = _survey(
        estate_a,
        period="2026-Q3",
        opens_at=now - dt.timedelta(days=100),
        closes_at=now - dt.timedelta(days=60),
    )
    survey = _survey(estate_a)
    u1, u2 = make_unit(estate_a), make_unit(estate_a)
    services.survey_answer_submit(survey=before, unit=u1, ratings=_all(2, before), channel="paper")
    services.survey_answer_submit(survey=survey, unit=u1, ratings=_all(5, survey))
    ratings = _all(3, survey)
    services.survey_answer_submit(
        survey=survey, unit=u2, ratings=ratings, comments={"greenery": "草坪要修剪"}
    )
    results, previous = selectors.survey_results(survey)
    assert previous == before
    greenery = next(r for r in results if r.aspect == "greenery")
    assert (greenery.count, greenery.satisfied, greenery.distribution) == (2, 1, [0, 0, 1, 0, 1])
    assert greenery.share == 0.5 and greenery.previous_share == 0.0
    assert [a.comment for a in selectors.survey_comments(survey)] == ["草坪要修剪"]


def test_questions_are_editable_but_an_answered_aspect_stays(estate_a):
    survey = _survey(estate_a)
    texts = {q.aspect: q.text for q in survey.questions.all()}
    texts["fees"] = ""
    texts["overall"] = "总体满意吗？"
    services.survey_questions_set(survey=survey, texts=texts)
    assert set(survey.questions.values_list("aspect", flat=True)) == set(texts) - {"fees"}
    services.survey_answer_submit(survey=survey, unit=make_unit(estate_a), ratings=_all(5, survey))
    texts["overall"] = ""
    with pytest.raises(DomainError) as err:
        services.survey_questions_set(survey=survey, texts=texts)
    assert err.value.field == "text_overall"


def test_monthly_call_sample_is_idempotent_and_recorded_as_phone_answers(estate_a, manager_a):
    for _ in range(25):
        make_unit(estate_a)
    survey = services.call_samples_draw(estate=estate_a, period_label="2026-10")
    again = services.call_samples_draw(estate=estate_a, period_label="2026-10")
    assert survey == again and survey.kind == Survey.Kind.MONTHLY_CALL
    assert CallSample.objects.count() == 20
    first, second = CallSample.objects.all()[:2]
    services.call_record(sample=first, reached=True, ratings=_all(5, survey), by=manager_a)
    services.call_record(sample=second, reached=False, by=manager_a)
    first.refresh_from_db()
    assert first.status == "answered" and first.response.channel == "phone"
    assert CallSample.objects.get(pk=second.pk).status == "unreached"
    with pytest.raises(DomainError):
        services.call_record(sample=first, reached=True, ratings=_all(5, survey))
    assert services.call_samples_draw_due() >= 0
    assert Survey.objects.filter(kind="monthly_call", period="2026-10").count() == 1
