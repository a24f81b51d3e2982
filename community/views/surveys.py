"""Staff pages of surveys: the list and editor, results per aspect compared with the previous
survey, staff entry of a paper or phone answer, the monthly call list, and the records behind
the two community rates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community import selectors, services
from community.forms import AnswersForm, CallForm, QuestionsForm, SurveyForm, add_domain_error
from community.models import CallSample, SignUp, Survey
from community.views.common import scoped
from estate import scoping
from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Unit
from estate.pages import estate_page, forbidden, page_of, query_without

MANAGE = "community.survey.manage"
ENTER = "community.survey.enter"


@estate_page("community.view")
def surveys(request, estate):
    qs = Survey.objects.filter(estate=estate, kind=Survey.Kind.PERIODIC).order_by("-opens_at")
    page = page_of(qs, request, qs.count())
    return render(
        request,
        "community/surveys.html",
        {
            "estate": estate,
            "page": page,
            "query": query_without(request, "page"),
            "can_manage": scoping.can(request.user, estate, MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@estate_page(MANAGE)
def survey_new(request, estate):
    with timezone.override(estate.tz):
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                survey = services.survey_create(estate=estate, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("community:survey_questions", survey.pk)
        status = 400 if request.method == "POST" else 200
        return render(
            request, "community/survey_form.html", {"estate": estate, "form": form}, status=status
        )


@login_required
@require_http_methods(["GET", "POST"])
def survey_questions(request, survey_id: int):
    survey, estate, allowed = scoped(request, Survey, MANAGE, pk=survey_id)
    if not allowed:
        return forbidden(request)
    form = QuestionsForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        texts = {k.removeprefix("text_"): v for k, v in form.cleaned_data.items()}
        try:
            services.survey_questions_set(survey=survey, texts=texts)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Questions saved."))
            return redirect("community:survey", survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "community/survey_questions.html",
        {"estate": estate, "survey": survey, "form": form},
        status=status,
    )


@login_required
def survey(request, survey_id: int):
    """Results per aspect: answers, share satisfied, the 1-5 distribution, the change from the
    previous survey; and the comments."""
    survey, estate, allowed = scoped(request, Survey, "community.view", pk=survey_id)
    if not allowed:
        return forbidden(request)
    results, previous = selectors.survey_results(survey)
    return render(
        request,
        "community/survey.html",
        {
            "estate": estate,
            "survey": survey,
            "results": results,
            "previous": previous,
            "responses": survey.responses.count(),
            "comments": selectors.survey_comments(survey),
            "link": request.build_absolute_uri(
                reverse("public:survey", args=[estate.code, survey.token])
            ),
            "can_manage": scoping.can(request.user, estate, MANAGE),
            "can_enter": scoping.can(request.user, estate, ENTER),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_enter(request, survey_id: int):
    """Staff enter a unit's answers from a paper form or a phone survey."""
    survey, estate, allowed = scoped(request, Survey, ENTER, pk=survey_id)
    if not allowed:
        return forbidden(request)
    questions = list(survey.questions.all())
    form = AnswersForm(request.POST or None, questions=questions, with_channel=True)
    if request.method == "POST" and form.is_valid():
        unit = Unit.objects.filter(
            estate=estate, number=form.cleaned_data["unit_number"].strip()
        ).first()
        if unit is None:
            form.add_error("unit_number", _("There is no such unit in this estate."))
        else:
            try:
                services.survey_answer_submit(
                    survey=survey,
                    unit=unit,
                    ratings=form.ratings(),
                    comments=form.comments(),
                    channel=form.cleaned_data["channel"],
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc, {"unit": "unit_number"})
            else:
                messages.success(request, _("Answers of %(unit)s saved.") % {"unit": unit.number})
                return redirect("community:survey_enter", survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "community/survey_enter.html",
        {"estate": estate, "survey": survey, "form": form},
        status=status,
    )


@estate_page(ENTER)
def calls(request, estate):
    """The month's sampled satisfaction call list (``?period=YYYY-MM``)."""
    label = request.GET.get("period") or Period.containing(estate.tz, timezone.now()).label
    try:
        period = Period.month(estate.tz, label)
    except DomainError:
        period = Period.containing(estate.tz, timezone.now())
    survey = Survey.objects.filter(
        estate=estate, kind=Survey.Kind.MONTHLY_CALL, period=period.label
    ).first()
    samples = (
        list(survey.samples.select_related("unit", "called_by").order_by("status", "id"))
        if survey
        else []
    )
    done = sum(1 for s in samples if s.status != CallSample.Status.PENDING)
    return render(
        request,
        "community/calls.html",
        {
            "estate": estate,
            "period": period,
            "survey": survey,
            "samples": samples,
            "done": done,
            "prev": period.previous().label,
            "next": period.next().label,
        },
    )


@require_POST
@estate_page(ENTER)
def calls_draw(request, estate):
    """Draw the month's list now (the periodic task does it on the 1st; drawing twice finds the
    first list)."""
    label = request.POST.get("period") or ""
    try:
        services.call_samples_draw(estate=estate, period_label=label)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('community:calls')}?estate={estate.code}&period={label}")


@login_required
@require_http_methods(["GET", "POST"])
def call_record(request, sample_id: int):
    sample, estate, allowed = scoped(
        request,
        CallSample.objects.select_related("survey__estate", "unit"),
        ENTER,
        pk=sample_id,
    )
    if not allowed:
        return forbidden(request)
    estate = sample.survey.estate
    form = CallForm(request.POST or None, questions=list(sample.survey.questions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.call_record(
                sample=sample,
                reached=form.cleaned_data["reached"],
                ratings=form.ratings(),
                comments=form.comments(),
                by=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(
                f"{reverse('community:calls')}?estate={estate.code}&period={sample.survey.period}"
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "community/call_record.html",
        {"estate": estate, "sample": sample, "form": form},
        status=status,
    )


@estate_page("community.view")
def metric_records(request, estate):
    """The sign-ups or answers counted in a community rate's numerator or denominator."""
    try:
        period = Period.month(estate.tz, request.GET.get("period", ""))
        key, part = request.GET.get("metric", ""), request.GET.get("part", "denominator")
        qs = selectors.metric_records(
            estate=estate, period=period, key=key, part=part, snapshot=request.GET.get("snapshot")
        )
    except DomainError as exc:
        return render(
            request,
            "community/metric_records.html",
            {"estate": estate, "error": exc.message},
            status=400,
        )
    page = page_of(qs, request, qs.count())
    return render(
        request,
        "community/metric_records.html",
        {
            "estate": estate,
            "page": page,
            "period": period,
            "key": key,
            "part": part,
            "is_signups": qs.model is SignUp,
            "query": query_without(request, "page"),
        },
    )
