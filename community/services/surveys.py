"""Writes of satisfaction surveys: create with a question per aspect, edit the questions,
record a unit's answers (from the residents' link, a paper form or a phone call), and the
monthly sampled call list (from 004: each month a sample of units is called)."""

import random
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import (
    Aspect,
    CallSample,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Estate, Unit
from estate.validators import clean_text

CALL_SAMPLE_SIZE = 20

DEFAULT_QUESTIONS = {
    Aspect.SERVICE_ATTITUDE: "您对物业服务人员的服务态度是否满意？",
    Aspect.REPAIRS: "您对报修处理的及时性和质量是否满意？",
    Aspect.CLEANLINESS: "您对小区公共区域的清洁卫生是否满意？",
    Aspect.SECURITY: "您对小区的安全秩序管理是否满意？",
    Aspect.GREENERY: "您对小区绿化养护是否满意？",
    Aspect.FEES: "您对物业收费的合理性和透明度是否满意？",
    Aspect.OVERALL: "总体而言，您对本小区物业服务是否满意？",
}


@transaction.atomic
def survey_create(
    *,
    estate: Estate,
    title: str,
    period: str,
    opens_at,
    closes_at,
    kind: str = Survey.Kind.PERIODIC,
    aspects=None,
    by=None,
) -> Survey:
    """A survey of the estate with one question per aspect (every aspect unless chosen)."""
    if opens_at is None:
        raise DomainError("invalid", _("This field is required."), field="opens_at")
    if closes_at is None or closes_at <= opens_at:
        raise DomainError("invalid", _("The survey must close after it opens."), field="closes_at")
    aspects = list(aspects or Aspect.values)
    unknown = [a for a in aspects if a not in Aspect.values]
    if unknown or not aspects:
        raise DomainError("invalid", _("Choose the aspects to ask about."), field="aspects")
    survey = Survey.objects.create(
        estate=estate,
        kind=kind,
        title=clean_text(title, field="title", max_length=100, required=True),
        period=clean_text(period, field="period", max_length=16, required=True),
        opens_at=opens_at,
        closes_at=closes_at,
        token=secrets.token_hex(16),
        created_by=by,
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, aspect=a, text=DEFAULT_QUESTIONS[Aspect(a)], sort=i)
        for i, a in enumerate(Aspect.values)
        if a in aspects
    )
    return survey


@transaction.atomic
def survey_questions_set(*, survey: Survey, texts: dict[str, str]) -> Survey:
    """The survey's questions: ``{aspect: text}``; an empty text removes the aspect, which is
    refused once it has answers."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    existing = {q.aspect: q for q in survey.questions.all()}
    answered = set(SurveyAnswer.objects.filter(survey=survey).values_list("aspect", flat=True))
    kept = 0
    for sort, aspect in enumerate(Aspect.values):
        text = clean_text(texts.get(aspect), field=f"text_{aspect}", max_length=200)
        question = existing.get(aspect)
        if not text:
            if question is not None and aspect in answered:
                raise DomainError(
                    "invalid",
                    _("This aspect already has answers and cannot be removed."),
                    field=f"text_{aspect}",
                )
            if question is not None:
                question.delete()
            continue
        kept += 1
        if question is None:
            SurveyQuestion.objects.create(survey=survey, aspect=aspect, text=text, sort=sort)
        elif question.text != text:
            question.text = text
            question.save(update_fields=["text"])
    if not kept:
        raise DomainError(
            "invalid", _("A survey needs at least one question."), field="text_overall"
        )
    return survey


def survey_open_error(survey: Survey, now) -> str | None:
    """Why residents may not answer the survey's link at ``now`` (None when they may)."""
    if now < survey.opens_at:
        return _("This survey has not opened yet.")
    if now >= survey.closes_at:
        return _("This survey has closed.")
    return None


def _already(unit: Unit) -> DomainError:
    return DomainError(
        "conflict",
        _("Unit %(n)s has already answered this survey.") % {"n": unit.number},
        field="unit",
    )


@transaction.atomic
def survey_answer_submit(
    *,
    survey: Survey,
    unit: Unit,
    ratings: dict[str, object],
    comments: dict[str, str] | None = None,
    channel: str = SurveyResponse.Channel.WEB,
    by=None,
    now=None,
) -> SurveyResponse:
    """One unit's answers, every question rated 1-5 with an optional comment. A unit answers a
    survey once (checked here, and by the database for concurrent submissions)."""
    now = now or timezone.now()
    comments = comments or {}
    if unit is None or unit.estate_id != survey.estate_id:
        raise DomainError("invalid", _("There is no such unit in this estate."), field="unit")
    if channel not in SurveyResponse.Channel.values:
        raise DomainError("invalid", _("Unknown channel."), field="channel")
    if channel == SurveyResponse.Channel.WEB:
        reason = survey_open_error(survey, now)
        if reason:
            raise DomainError("invalid", reason, field="survey")
    questions = list(survey.questions.all())
    clean: list[tuple[SurveyQuestion, int, str]] = []
    for question in questions:
        value = ratings.get(question.aspect)
        try:
            rating = int(value)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5 or str(value).strip() not in {str(rating)}:
            raise DomainError(
                "invalid", _("Choose from 1 to 5."), field=f"rating_{question.aspect}"
            )
        comment = clean_text(
            comments.get(question.aspect), field=f"comment_{question.aspect}", max_length=500
        )
        clean.append((question, rating, comment))
    if SurveyResponse.objects.filter(survey=survey, unit=unit).exists():
        raise _already(unit)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, unit=unit, channel=channel, answered_at=now, entered_by=by
            )
    except IntegrityError:
        raise _already(unit) from None
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            survey=survey,
            estate_id=survey.estate_id,
            question=question,
            aspect=question.aspect,
            rating=rating,
            comment=comment,
            answered_at=now,
        )
        for question, rating, comment in clean
    )
    return response


def _call_survey(estate: Estate, period: Period) -> Survey:
    existing = Survey.objects.filter(
        estate=estate, kind=Survey.Kind.MONTHLY_CALL, period=period.label
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return survey_create(
                estate=estate,
                kind=Survey.Kind.MONTHLY_CALL,
                title=_("Satisfaction call %(period)s") % {"period": period.label},
                period=period.label,
                opens_at=period.start,
                closes_at=period.end,
            )
    except IntegrityError:
        return Survey.objects.get(estate=estate, kind=Survey.Kind.MONTHLY_CALL, period=period.label)


@transaction.atomic
def call_samples_draw(
    *, estate: Estate, period_label: str, size: int = CALL_SAMPLE_SIZE, now=None
) -> Survey:
    """The month's call list: ``size`` units of the estate drawn at random (the same draw for
    the same estate and month). Idempotent: a second run returns the first list."""
    period = Period.month(estate.tz, period_label, now=now)
    survey = _call_survey(estate, period)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.samples.exists():
        return survey
    unit_ids = sorted(Unit.objects.filter(estate=estate).values_list("pk", flat=True))
    rng = random.Random(f"{estate.code}:{period.label}")
    chosen = rng.sample(unit_ids, min(size, len(unit_ids)))
    CallSample.objects.bulk_create(
        [CallSample(survey=survey, unit_id=unit_id) for unit_id in sorted(chosen)],
        ignore_conflicts=True,
    )
    return survey


def call_samples_draw_due(*, now=None) -> int:
    """This month's call list for every estate (the periodic task); returns the lists made."""
    now = now or timezone.now()
    made = 0
    for estate in Estate.objects.order_by("pk"):
        period = Period.containing(estate.tz, now, now=now)
        had = Survey.objects.filter(
            estate=estate, kind=Survey.Kind.MONTHLY_CALL, period=period.label
        ).exists()
        call_samples_draw(estate=estate, period_label=period.label, now=now)
        made += not had
    return made


@transaction.atomic
def call_record(
    *,
    sample: CallSample,
    reached: bool,
    ratings: dict | None = None,
    comments: dict | None = None,
    by=None,
    now=None,
) -> CallSample:
    """The outcome of one call: the answers when the resident was reached, else not reached
    (a later call may still reach them)."""
    now = now or timezone.now()
    sample = (
        CallSample.objects.select_for_update().select_related("survey", "unit").get(pk=sample.pk)
    )
    if sample.status == CallSample.Status.ANSWERED:
        raise _already(sample.unit)
    sample.called_at = now
    sample.called_by = by
    if reached:
        sample.response = survey_answer_submit(
            survey=sample.survey,
            unit=sample.unit,
            ratings=ratings or {},
            comments=comments,
            channel=SurveyResponse.Channel.PHONE,
            by=by,
            now=now,
        )
        sample.status = CallSample.Status.ANSWERED
    else:
        sample.status = CallSample.Status.UNREACHED
    sample.save()
    return sample
