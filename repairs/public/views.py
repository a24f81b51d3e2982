"""Public resident pages (no account): report, follow and rate a request; look up one's own.

Everything a resident does goes through the same services as the front desk. The pages reveal
nothing about other residents: a wrong, malformed or foreign tracking code is the same 404, and
the phone list needs a one-time code sent to that phone."""

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from estate import otp, privacy
from estate.errors import DomainError
from estate.public import public_estate, too_many
from estate.ratelimit import over_limit
from estate.validators import normalize_mobile
from repairs import services as repair_services
from repairs import workflow as wf
from repairs.models import Ticket
from repairs.photos import MAX_PHOTOS
from repairs.public.forms import CodeForm, PhoneForm, RatingForm, ReportForm
from repairs.public.selectors import (
    pending_photos,
    public_ticket,
    public_timeline,
    report_categories,
    tickets_for_phone,
)
from repairs.services import pending

# Where the repairs service's field names show on the form.
_FORM_FIELD = {
    "reporter_phone": "phone",
    "reporter_name": "name",
    "unit": "unit_number",
    "unit_number": "unit_number",
    "common_area": "common_area",
    "category": "category",
    "kind": "kind",
    "description": "description",
    "photos": "photos",
    "preferred_visit_time": "preferred_visit_time",
}
LOOKUP_SESSION_KEY = "resident_lookup"
LOOKUP_TTL = dt.timedelta(minutes=30)


_estate = public_estate
_too_many = too_many


@require_http_methods(["GET", "POST"])
def report(request, code: str):
    """The report form (扫码报修). A submission with errors comes back filled in, and the
    photos it carried stay attached (kept under the form's token, repairs/services/pending.py)."""
    estate = _estate(code)
    categories = report_categories(estate=estate)
    template = "repairs/public/report.html"
    if request.method == "GET":
        form = ReportForm(categories=categories)
        context = {"estate": estate, "form": form, "upload_token": pending.new_token()}
        return render(request, template, context)

    form = ReportForm(request.POST, request.FILES, categories=categories)
    token = request.POST.get("upload_token", "")
    fresh = not pending.valid_token(token)  # a token minted now: nothing is kept under it
    if fresh:
        token = pending.new_token()
    # Kept photos the resident left ticked go with this submission; unticked ones are dropped.
    # Nothing ticked (a first submission): none is read, and all of them are dropped.
    ticked = set(request.POST.getlist("keep_photo"))
    dropped = None
    attached = []
    if ticked and not fresh:
        attached = pending_photos(estate=estate, token=token)
        dropped = [p.pk for p in attached if str(p.pk) not in ticked]
        attached = [p for p in attached if str(p.pk) in ticked]
    uploads = request.FILES.getlist("photos")
    context = {"estate": estate, "form": form, "upload_token": token, "attached": attached}

    def refuse(status=400, *, keep_new=True):
        if not fresh and dropped != []:  # None: every kept photo is dropped
            repair_services.pending_photos_discard(estate=estate, token=token, ids=dropped)
        if uploads and keep_new:
            room = max(0, MAX_PHOTOS - len(attached))
            kept, errors = repair_services.pending_photos_keep(
                estate=estate, token=token, uploads=uploads, room=room
            )
            attached.extend(kept)
            shown = form.errors.get("photos", [])
            for message in errors:
                if message not in shown:
                    form.add_error("photos", message)
        context["photos_dropped"] = bool(uploads) and not keep_new
        return render(request, template, context, status=status)

    if over_limit(request, group="resident-submit", rate=settings.RESIDENT_LIMITS["submit"]):
        # Nothing new is stored for a client over its limit.
        context["limited"] = True
        return refuse(429, keep_new=False)
    if not form.is_valid():
        return refuse()
    data = form.cleaned_data
    if data["website"]:
        form.add_error(None, _("This submission looks automated and was not saved."))
        return render(request, template, context, status=400)
    try:
        ticket = repair_services.ticket_create(
            estate=estate,
            kind=data["kind"],
            # The category object the form chose from (the service checks its estate, kind and
            # that it is active, as it would the id, without reading it again).
            category=form.categories.get(data["category"], data["category"]),
            priority=Ticket.Priority.NORMAL,
            channel=Ticket.Channel.WEB_FORM,
            description=data["description"],
            reporter_name=data["name"],
            reporter_phone=data["phone"],
            unit_number=data["unit_number"],
            common_area=data["common_area"],
            photos=[p.image for p in attached] + list(data["photos"]),
            preferred_visit_time=data["preferred_visit_time"],
            by=None,
        )
    except DomainError as exc:
        form.add_error(_FORM_FIELD.get(exc.field or ""), exc.message)
        return refuse()
    finally:
        for photo in attached:
            photo.image.close()
    if not fresh:
        repair_services.pending_photos_discard(estate=estate, token=token)
    return redirect(reverse("public:track", args=[estate.code, ticket.tracking_code]) + "?new=1")


def track(request, code: str, tracking: str):
    """The ticket's status in plain words, its promised deadlines, and the rating once done."""
    estate = _estate(code)
    ticket = public_ticket(estate=estate, tracking_code=tracking)
    return _render_track(request, estate, ticket, RatingForm())


def _render_track(request, estate, ticket, rating_form, status=200, error=None):
    offered = wf.resident_actions(ticket)  # the transition table decides, as for staff
    return render(
        request,
        "repairs/public/track.html",
        {
            "estate": estate,
            "ticket": ticket,
            "timeline": public_timeline(ticket),
            "rating_form": rating_form,
            "can_rate": "rate" in offered,
            "can_reopen": "not_solved" in offered,
            "is_new": request.GET.get("new") == "1",
            "error": error,
            "tz": estate.timezone,
        },
        status=status,
    )


@require_POST
def rate(request, code: str, tracking: str):
    estate = _estate(code)
    ticket = public_ticket(estate=estate, tracking_code=tracking)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_track(request, estate, ticket, form, status=400)
    try:
        repair_services.ticket_rate_by_resident(
            ticket=ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        return _render_track(request, estate, ticket, form, status=exc.status, error=exc.message)
    return redirect("public:track", estate.code, ticket.tracking_code)


@require_POST
def not_solved(request, code: str, tracking: str):
    """The resident says the problem is not solved: the ticket reopens (within the window)."""
    estate = _estate(code)
    ticket = public_ticket(estate=estate, tracking_code=tracking)
    try:
        repair_services.ticket_reopen(
            ticket=ticket, by=None, reason=_("The resident says the problem is not solved.")
        )
    except DomainError as exc:
        return _render_track(
            request, estate, ticket, RatingForm(), status=exc.status, error=exc.message
        )
    return redirect("public:track", estate.code, ticket.tracking_code)


@require_http_methods(["GET", "POST"])
def my_requests(request, code: str):
    """Phone → one-time code → the list of that phone's requests in this estate."""
    estate = _estate(code)
    template = "repairs/public/my_requests.html"
    lookups = request.session.get(LOOKUP_SESSION_KEY, {})
    granted = lookups.get(str(estate.pk))
    if granted and dt.datetime.fromisoformat(granted["until"]) > timezone.now():
        if request.method == "POST" and request.POST.get("action") == "forget":
            lookups.pop(str(estate.pk), None)
            request.session[LOOKUP_SESSION_KEY] = lookups
            return redirect("public:my_requests", estate.code)
        tickets = tickets_for_phone(estate=estate, phone_index=granted["index"])
        return render(
            request,
            template,
            {
                "estate": estate,
                "tickets": tickets,
                "phone_masked": granted["masked"],
                "step": "list",
            },
        )

    pending = request.session.get("resident_lookup_pending")
    step = "code" if pending and pending.get("estate") == estate.pk else "phone"
    phone_form, code_form = PhoneForm(), CodeForm()
    context = {
        "estate": estate,
        "step": step,
        "phone_form": phone_form,
        "code_form": code_form,
        "phone_masked": pending["masked"] if step == "code" else "",
    }
    if request.method == "GET":
        if settings.DEBUG and step == "code":
            context["dev_code"] = request.session.get("resident_lookup_dev_code")
        return render(request, template, context)

    action = request.POST.get("action")
    if action == "send":
        phone_form = PhoneForm(request.POST)
        context.update(phone_form=phone_form, step="phone")
        if over_limit(request, group="resident-otp", rate=settings.RESIDENT_LIMITS["otp"]):
            return _too_many(request, estate, template, context)
        if not phone_form.is_valid():
            return render(request, template, context, status=400)
        try:
            sent = otp.otp_issue(estate=estate, phone=phone_form.cleaned_data["phone"])
        except DomainError as exc:
            phone_form.add_error("phone", exc.message)
            return render(request, template, context, status=400)
        phone = normalize_mobile(phone_form.cleaned_data["phone"])
        # Sessions can be read from a database dump without any key: only the blind index
        # and the masked number are kept, never the full number.
        request.session["resident_lookup_pending"] = {
            "estate": estate.pk,
            "index": privacy.blind_index(phone),
            "masked": privacy.mask_phone(phone),
        }
        if settings.DEBUG:
            request.session["resident_lookup_dev_code"] = sent
        return redirect("public:my_requests", estate.code)
    if action == "verify" and step == "code":
        code_form = CodeForm(request.POST)
        context.update(code_form=code_form)
        if over_limit(request, group="resident-lookup", rate=settings.RESIDENT_LIMITS["lookup"]):
            return _too_many(request, estate, template, context)
        if not code_form.is_valid():
            return render(request, template, context, status=400)
        try:
            index = otp.otp_verify_index(
                estate=estate,
                phone_index=pending.get("index", ""),
                code=code_form.cleaned_data["code"],
            )
        except DomainError as exc:
            code_form.add_error("code", exc.message)
            return render(request, template, context, status=400)
        request.session.pop("resident_lookup_pending", None)
        request.session.pop("resident_lookup_dev_code", None)
        lookups[str(estate.pk)] = {
            "index": index,
            "masked": pending["masked"],
            "until": (timezone.now() + LOOKUP_TTL).isoformat(),
        }
        request.session[LOOKUP_SESSION_KEY] = lookups
        return redirect("public:my_requests", estate.code)
    if action == "restart":
        request.session.pop("resident_lookup_pending", None)
        return redirect("public:my_requests", estate.code)
    raise Http404
