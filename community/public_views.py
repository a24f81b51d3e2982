"""The estate's public pages for residents (no login): the estate page (announcements, events,
service phone), the lobby poster, event sign-up confirmed with a one-time code, a sign-up's
own page by its unguessable link (status, cancel, feedback), and the survey link."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community import pdf, selectors, services
from community.forms import AnswersForm, CodeForm, FeedbackForm, PublicSignUpForm, add_domain_error
from community.models import Event, SignUp, Survey
from estate import otp, privacy
from estate.errors import DomainError
from estate.models import Unit
from estate.pages import pdf_response
from estate.public import public_estate, too_many
from estate.ratelimit import over_limit

PENDING_KEY = "event_signup_pending"


def home(request, code: str):
    """The estate's page: current announcements, upcoming events, links to report and follow."""
    estate = public_estate(code)
    return render(
        request,
        "community/public/home.html",
        {
            "estate": estate,
            "announcements": selectors.announcements_current(estate=estate),
            "events": selectors.events_open_for_signup(estate=estate),
        },
    )


def poster(request, code: str):
    estate = public_estate(code)
    url = request.build_absolute_uri(reverse("public:report", args=[estate.code]))
    return pdf_response(pdf.estate_poster(estate=estate, form_url=url), f"poster-{estate.code}.pdf")


def _unit(estate, number: str) -> Unit | None:
    return Unit.objects.filter(estate=estate, number=(number or "").strip()).first()


@require_http_methods(["GET", "POST"])
def event_signup(request, code: str, event_id: int):
    """Name, phone, unit and people → a code by SMS → the sign-up (confirmed or on the wait
    list). A form with errors comes back filled in."""
    estate = public_estate(code)
    event = get_object_or_404(Event, estate=estate, pk=event_id, cancelled_at__isnull=True)
    template = "community/public/event.html"
    pending = request.session.get(PENDING_KEY)
    if not (pending and pending.get("event") == event.pk):
        pending = None
    else:  # the session keeps the number encrypted (a database dump has sessions in clear)
        try:
            pending = pending | {"phone": privacy.decrypt(pending["phone"])}
        except Exception:  # noqa: BLE001 - a session from before, or a rotated-out key
            request.session.pop(PENDING_KEY, None)
            pending = None
    form = PublicSignUpForm(initial=pending or None)
    form.fields["unit_number"].required = True
    code_form = CodeForm()
    context = {
        "estate": estate,
        "event": event,
        "form": form,
        "code_form": code_form,
        "step": "code" if pending else "form",
        "phone_masked": privacy.mask_phone(pending["phone"]) if pending else "",
        "closed": services.signup_window_error(event, timezone.now()),
    }
    if request.method == "GET":
        if settings.DEBUG and pending:
            context["dev_code"] = request.session.get("event_signup_dev_code")
        return render(request, template, context)
    action = request.POST.get("action")
    if action == "restart":
        request.session.pop(PENDING_KEY, None)
        return redirect("public:event_signup", estate.code, event.pk)
    if action == "send":
        form = PublicSignUpForm(request.POST)
        form.fields["unit_number"].required = True
        context.update(form=form, step="form")
        if over_limit(request, group="resident-otp", rate=settings.RESIDENT_LIMITS["otp"]):
            return too_many(request, estate, template, context)
        if not form.is_valid():
            return render(request, template, context, status=400)
        data = form.cleaned_data
        if data["website"]:
            form.add_error(None, _("This submission looks automated and was not saved."))
            return render(request, template, context, status=400)
        if context["closed"]:
            form.add_error(None, context["closed"])
            return render(request, template, context, status=400)
        if _unit(estate, data["unit_number"]) is None:
            form.add_error("unit_number", _("There is no such unit in this estate."))
            return render(request, template, context, status=400)
        try:
            sent = otp.otp_issue(estate=estate, phone=data["phone"])
        except DomainError as exc:
            add_domain_error(form, exc)
            return render(request, template, context, status=400)
        request.session[PENDING_KEY] = {
            "event": event.pk,
            "name": data["name"],
            "phone": privacy.encrypt("".join(ch for ch in data["phone"] if ch.isdigit())[-11:]),
            "unit_number": data["unit_number"],
            "people": data["people"],
        }
        if settings.DEBUG:
            request.session["event_signup_dev_code"] = sent
        return redirect("public:event_signup", estate.code, event.pk)
    if action == "verify" and pending:
        code_form = CodeForm(request.POST)
        context.update(code_form=code_form)
        if over_limit(request, group="resident-lookup", rate=settings.RESIDENT_LIMITS["lookup"]):
            return too_many(request, estate, template, context)
        if not code_form.is_valid():
            return render(request, template, context, status=400)
        try:
            phone = otp.otp_verify(
                estate=estate, phone=pending["phone"], code=code_form.cleaned_data["code"]
            )
            signup = services.signup_create(
                event=event,
                name=pending["name"],
                phone=phone,
                people=pending["people"],
                unit=_unit(estate, pending["unit_number"]),
                channel=SignUp.Channel.WEB,
            )
        except DomainError as exc:
            if exc.field == "code":
                code_form.add_error("code", exc.message)
            else:
                request.session.pop(PENDING_KEY, None)
                form = PublicSignUpForm(initial=pending)
                add_domain_error(form, exc, {"unit": "unit_number", "event": None})
                context.update(form=form, step="form")
            return render(request, template, context, status=400)
        request.session.pop(PENDING_KEY, None)
        request.session.pop("event_signup_dev_code", None)
        return redirect(
            reverse("public:event_feedback", args=[estate.code, signup.token]) + "?new=1"
        )
    raise Http404


def _signup_by_token(estate, token: str) -> SignUp:
    if not token or len(token) != 32:
        raise Http404
    return get_object_or_404(
        SignUp.objects.select_related("event__estate"), event__estate=estate, token=token
    )


@require_http_methods(["GET", "POST"])
def event_feedback(request, code: str, token: str):
    """A sign-up's own page (its link is unguessable): the status, cancelling before the event,
    and the feedback (1-5 and a comment) once it has started."""
    estate = public_estate(code)
    signup = _signup_by_token(estate, token)
    now = timezone.now()
    template = "community/public/signup.html"
    form = FeedbackForm(request.POST or None)
    context = {
        "estate": estate,
        "signup": signup,
        "event": signup.event,
        "form": form,
        "is_new": request.GET.get("new") == "1",
        "can_cancel": signup.status != SignUp.Status.CANCELLED
        and signup.attended_at is None
        and now < signup.event.starts_at,
        "can_rate": signup.status == SignUp.Status.CONFIRMED
        and signup.feedback_at is None
        and now >= signup.event.starts_at,
    }
    if request.method == "GET":
        return render(request, template, context)
    if over_limit(request, group="resident-submit", rate=settings.RESIDENT_LIMITS["submit"]):
        return too_many(request, estate, template, context)
    try:
        if request.POST.get("action") == "cancel":
            services.signup_cancel(signup=signup)
        else:
            if not form.is_valid():
                return render(request, template, context, status=400)
            services.feedback_submit(
                signup=signup,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
    except DomainError as exc:
        add_domain_error(form, exc)
        return render(request, template, context, status=400)
    return redirect("public:event_feedback", estate.code, signup.token)


@require_http_methods(["GET", "POST"])
def survey(request, code: str, token: str):
    """The survey link: the unit number and a rating per question (one answer per unit)."""
    estate = public_estate(code)
    if not token or len(token) != 32:
        raise Http404
    survey = get_object_or_404(Survey, estate=estate, token=token)
    template = "community/public/survey.html"
    questions = list(survey.questions.all())
    form = AnswersForm(request.POST or None, questions=questions)
    context = {
        "estate": estate,
        "survey": survey,
        "form": form,
        "closed": services.survey_open_error(survey, timezone.now()),
        "done": request.GET.get("done") == "1",
    }
    if request.method == "GET":
        return render(request, template, context)
    if over_limit(request, group="resident-submit", rate=settings.RESIDENT_LIMITS["submit"]):
        return too_many(request, estate, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    unit = _unit(estate, form.cleaned_data["unit_number"])
    if unit is None:
        form.add_error("unit_number", _("There is no such unit in this estate."))
        return render(request, template, context, status=400)
    try:
        services.survey_answer_submit(
            survey=survey, unit=unit, ratings=form.ratings(), comments=form.comments()
        )
    except DomainError as exc:
        add_domain_error(form, exc, {"unit": "unit_number"})
        return render(request, template, context, status=400)
    return redirect(reverse("public:survey", args=[estate.code, survey.token]) + "?done=1")
