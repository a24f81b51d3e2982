"""Surveys, their results and answers."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from community import selectors, services
from community.api.schemas import (
    AnswerFilters,
    AnswerPage,
    RangeFilters,
    ResponseIn,
    ResponseOut,
    SurveyPage,
    SurveyResultsOut,
)
from community.models import Survey, SurveyAnswer, SurveyResponse
from estate.errors import DomainError
from estate.localtime import day_start
from estate.models import Unit
from estate.schemas import ERRORS_4XX, paginate
from estate.scoping import estate_by_code, for_user, require

router = Router(tags=["community"])


def _survey(request, survey_id: int, action: str = "community.view") -> Survey:
    survey = for_user(Survey, request.auth).select_related("estate").filter(pk=survey_id).first()
    if survey is None:
        raise DomainError("not_found", _("Not found."), status=404)
    require(request.auth, survey.estate, action)
    return survey


@router.get(
    "/surveys/answers",
    response={200: AnswerPage, **ERRORS_4XX},
    summary="Survey answers by aspect (KPI.md: the satisfaction rate can be recomputed)",
)
def answer_list(request, filters: Query[AnswerFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "community.view")
    qs = SurveyAnswer.objects.filter(estate=estate).select_related("estate")
    if filters.answered_from:
        qs = qs.filter(answered_at__gte=day_start(filters.answered_from, estate))
    if filters.answered_to:
        qs = qs.filter(answered_at__lt=day_start(filters.answered_to, estate))
    return paginate(qs.order_by("answered_at", "id"), filters)


@router.get("/surveys", response={200: SurveyPage, **ERRORS_4XX}, summary="An estate's surveys")
def survey_list(request, filters: Query[RangeFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "community.view")
    qs = (
        Survey.objects.filter(estate=estate)
        .select_related("estate")
        .prefetch_related("questions")
        .order_by("-opens_at", "id")
    )
    return paginate(qs, filters)


@router.get(
    "/surveys/{survey_id}",
    response={200: SurveyResultsOut, **ERRORS_4XX},
    summary="A survey's results per aspect (share satisfied, 1-5 distribution, previous share)",
)
def survey_results(request, survey_id: int):
    survey = _survey(request, survey_id)
    results, previous = selectors.survey_results(survey)
    return {
        "survey": survey,
        "previous": previous.pk if previous else None,
        "aspects": [
            {
                "aspect": r.aspect,
                "count": r.count,
                "satisfied": r.satisfied,
                "share": r.share,
                "previous_share": r.previous_share,
                "distribution": r.distribution,
            }
            for r in results
        ],
    }


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: ResponseOut, **ERRORS_4XX},
    summary="Enter a unit's answers from a paper form or a phone call (one per unit)",
)
def response_create(request, survey_id: int, payload: ResponseIn):
    survey = _survey(request, survey_id, "community.survey.enter")
    if payload.channel not in (SurveyResponse.Channel.PAPER, SurveyResponse.Channel.PHONE):
        raise DomainError("invalid", _("Choose paper or phone."), field="channel")
    unit = Unit.objects.filter(estate=survey.estate, number=payload.unit.strip()).first()
    if unit is None:
        raise DomainError("invalid", _("There is no such unit in this estate."), field="unit")
    response = services.survey_answer_submit(
        survey=survey,
        unit=unit,
        ratings=payload.ratings,
        comments=payload.comments,
        channel=payload.channel,
        by=request.auth,
    )
    return Status(201, response)
