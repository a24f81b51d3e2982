"""Staff pages of events: the calendar, the editor, sign-ups with counts, check-in."""

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community import selectors, services
from community.forms import EventForm, SignUpForm, add_domain_error
from community.models import Event, SignUp
from community.views.common import scoped
from estate import privacy, scoping
from estate.errors import DomainError
from estate.localtime import local, month_bounds, today
from estate.models import Unit
from estate.pages import estate_page, forbidden, safe_next
from estate.validators import month_param


@estate_page("community.view")
def events(request, estate):
    """The month's events by day (``?month=YYYY-MM``), each with its sign-up counts."""
    current = today(estate)
    first = month_param(request.GET.get("month"), current)
    year, month = first.year, first.month
    start, end = month_bounds(year, month, estate)
    rows = list(selectors.events_with_counts(estate=estate, starts_from=start, starts_to=end))
    by_day: dict[dt.date, list] = {}
    for event in rows:
        by_day.setdefault(local(event.starts_at, estate).date(), []).append(event)
    weeks = [
        [(day, by_day.get(day, [])) if day.month == month else (day, None) for day in week]
        for week in calendar.Calendar().monthdatescalendar(year, month)
    ]
    prev_month = (start - dt.timedelta(days=1)).strftime("%Y-%m")
    next_month = end.strftime("%Y-%m")
    return render(
        request,
        "community/events.html",
        {
            "estate": estate,
            "weeks": weeks,
            "events": rows,
            "month_label": f"{year:04d}-{month:02d}",
            "prev_month": prev_month,
            "next_month": next_month,
            "today": current,
            "can_manage": scoping.can(request.user, estate, "community.event.manage"),
        },
    )


def _event_fields(data) -> dict:
    fields = {k: data[k] for k in EventForm.base_fields if k != "poster"}
    fields["fee"] = fields["fee"] or 0
    return fields


@require_http_methods(["GET", "POST"])
@estate_page("community.event.manage")
def event_new(request, estate):
    with timezone.override(estate.tz):
        form = EventForm(request.POST or None, request.FILES or None, estate=estate)
        if request.method == "POST" and form.is_valid():
            try:
                event = services.event_create(
                    estate=estate,
                    poster=form.cleaned_data["poster"],
                    by=request.user,
                    **_event_fields(form.cleaned_data),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("community:event", event.pk)
        status = 400 if request.method == "POST" else 200
        return render(
            request, "community/event_form.html", {"estate": estate, "form": form}, status=status
        )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    event, estate, allowed = scoped(request, Event, "community.event.manage", pk=event_id)
    if not allowed:
        return forbidden(request)
    with timezone.override(estate.tz):
        initial = {f: getattr(event, f) for f in EventForm.base_fields if f != "poster"}
        form = EventForm(
            request.POST or None, request.FILES or None, initial=initial, estate=estate
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.event_update(
                    event=event,
                    by=request.user,
                    poster=form.cleaned_data["poster"],
                    **_event_fields(form.cleaned_data),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("community:event", event.pk)
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "community/event_form.html",
            {"estate": estate, "form": form, "event": event},
            status=status,
        )


@login_required
@require_http_methods(["GET", "POST"])
def event(request, event_id: int):
    """An event: its facts, counts, the sign-ups and the wait list, the desk sign-up form."""
    event, estate, allowed = scoped(request, Event, "community.view", pk=event_id)
    if not allowed:
        return forbidden(request)
    can_signup = scoping.can(request.user, estate, "community.signup")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_signup:
            return forbidden(request)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            unit = None
            if data["unit_number"]:
                unit = Unit.objects.filter(
                    estate=estate, number=data["unit_number"].strip()
                ).first()
                if unit is None:
                    form.add_error("unit_number", _("There is no such unit in this estate."))
            if form.is_valid():
                try:
                    signup = services.signup_create(
                        event=event,
                        name=data["name"],
                        phone=data["phone"],
                        people=data["people"],
                        unit=unit,
                        channel=SignUp.Channel.DESK,
                        by=request.user,
                    )
                except DomainError as exc:
                    add_domain_error(form, exc, {"unit": "unit_number", "event": None})
                else:
                    messages.success(
                        request,
                        _("%(name)s: %(status)s.")
                        % {"name": signup.name, "status": signup.get_status_display()},
                    )
                    return redirect("community:event", event.pk)
    return render(
        request,
        "community/event.html",
        {
            "estate": estate,
            "event": event,
            "counts": selectors.signup_counts(event=event),
            "signups": list(selectors.signups_of(event=event)),
            "bills_to_void": list(selectors.bills_to_void(event=event)),
            "form": form,
            "can_signup": can_signup,
            "can_manage": scoping.can(request.user, estate, "community.event.manage"),
            "can_unmask": scoping.can(request.user, estate, "personal_data.view_unmasked"),
            "window_error": services.signup_window_error(event, timezone.now()),
            "feedback_base": request.build_absolute_uri(
                reverse("public:event_feedback", args=[estate.code, "TOKEN"])
            ).replace("TOKEN", ""),
        },
        status=status,
    )


@login_required
@require_POST
def signup_cancel(request, signup_id: int):
    signup, estate, allowed = scoped(
        request, SignUp.objects.select_related("event__estate"), "community.signup", pk=signup_id
    )
    if not allowed:
        return forbidden(request)
    try:
        promoted = services.signup_cancel(signup=signup, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled."))
        for p in promoted:
            messages.success(
                request,
                _("%(name)s moved up from the wait list and was told by SMS.") % {"name": p.name},
            )
    return redirect(safe_next(request, reverse("community:event", args=[signup.event_id])))


@login_required
def checkin(request, event_id: int):
    """The check-in list on a phone: search by name or unit (htmx swaps the list)."""
    event, estate, allowed = scoped(request, Event, "community.signup", pk=event_id)
    if not allowed:
        return forbidden(request)
    q = request.GET.get("q", "")
    rows = [
        s for s in selectors.signups_of(event=event, q=q) if s.status == SignUp.Status.CONFIRMED
    ]
    context = {
        "estate": estate,
        "event": event,
        "rows": rows,
        "q": q,
        "counts": selectors.signup_counts(event=event),
    }
    if request.headers.get("HX-Request"):
        return render(request, "community/_checkin_rows.html", context)
    return render(request, "community/checkin.html", context)


@login_required
@require_POST
def signup_checkin(request, signup_id: int):
    signup, estate, allowed = scoped(
        request,
        SignUp.objects.select_related("event__estate", "unit"),
        "community.signup",
        pk=signup_id,
    )
    if not allowed:
        return forbidden(request)
    error = None
    try:
        signup = services.signup_check_in(
            signup=signup, by=request.user, undo=request.POST.get("undo") == "1"
        )
    except DomainError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        return render(
            request, "community/_checkin_row.html", {"s": signup, "error": error, "estate": estate}
        )
    if error:
        messages.error(request, error)
    return redirect(safe_next(request, reverse("community:checkin", args=[signup.event_id])))


@login_required
@require_POST
def signup_phone(request, signup_id: int):
    """The clear phone number of a sign-up, for a role that may see it; the view is logged."""
    signup, estate, allowed = scoped(
        request,
        SignUp.objects.select_related("event__estate"),
        "personal_data.view_unmasked",
        pk=signup_id,
    )
    if not allowed:
        return forbidden(request)
    privacy.log_unmasked(
        user=request.user, obj=signup, field="phone", estate=estate, request=request
    )
    return HttpResponse(format_html('<a href="tel:{0}">{0}</a>', signup.phone))


@login_required
@require_POST
def event_cancel(request, event_id: int):
    event, estate, allowed = scoped(request, Event, "community.event.manage", pk=event_id)
    if not allowed:
        return forbidden(request)
    try:
        services.event_cancel(event=event, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The event is called off; everyone signed up is told by SMS."))
    return redirect("community:event", event.pk)
