"""Residents' facility pages (no login) under /r/<estate code>/facilities/: the list with
hours, rules and photos, booking a slot with a one-time code sent to the phone, and the
booking's own page (reached by its unguessable link) where it can be cancelled in time.

A facility of another estate, or a wrong booking link, is the same 404."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community.facilities import selectors, services
from community.facilities.forms import PublicBookingForm
from community.facilities.models import Booking, Facility
from community.facilities.views import form_error
from estate import otp
from estate.errors import DomainError
from estate.localtime import today
from estate.public import public_estate, too_many
from estate.ratelimit import over_limit
from estate.validators import day_param


def _facility(estate, facility_id: int) -> Facility:
    return get_object_or_404(selectors.facilities(estate=estate, public=True), pk=facility_id)


def facility_list(request, code: str):
    estate = public_estate(code)
    rows = [
        (f, services.out_of_service(f)) for f in selectors.facilities(estate=estate, public=True)
    ]
    return render(request, "facilities/public/list.html", {"estate": estate, "rows": rows})


def facility_photo(request, code: str, facility_id: int):
    facility = _facility(public_estate(code), facility_id)
    if not facility.photo:
        raise Http404
    kind = mimetypes.guess_type(facility.photo.name)[0] or "application/octet-stream"
    return FileResponse(facility.photo.open("rb"), content_type=kind)


def _day(request, estate) -> dt.date:
    return day_param(request.GET.get("date") or request.POST.get("date"), today(estate))


@require_http_methods(["GET", "POST"])
def facility_book(request, code: str, facility_id: int):
    """The day's free slots and the booking form: "Send code", then "Book" with the code."""
    estate = public_estate(code)
    facility = _facility(estate, facility_id)
    day = _day(request, estate)
    template = "facilities/public/book.html"
    form = PublicBookingForm(request.POST or None, facility=facility, initial={"date": day})
    context = {
        "estate": estate,
        "facility": facility,
        "form": form,
        "day": day,
        "slots": selectors.day_slots(facility=facility, date=day),
        "out_of_service": services.out_of_service(facility),
    }
    if request.method == "GET":
        return render(request, template, context)
    action = request.POST.get("action")
    if action == "send_code":
        if over_limit(request, group="resident-otp", rate=settings.RESIDENT_LIMITS["otp"]):
            return too_many(request, estate, template, context)
        try:
            sent = otp.otp_issue(estate=estate, phone=request.POST.get("phone", ""))
        except DomainError as exc:
            form.is_valid()
            form.add_error("phone", exc.message)
            return render(request, template, context, status=400)
        context["code_sent"] = True
        if settings.DEBUG:
            context["dev_code"] = sent
        form.errors.clear()
        return render(request, template, context)
    if over_limit(request, group="resident-submit", rate=settings.RESIDENT_LIMITS["submit"]):
        return too_many(request, estate, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    if data["website"]:
        form.add_error(None, _("This submission looks automated and was not saved."))
        return render(request, template, context, status=400)
    try:
        phone = otp.otp_verify(estate=estate, phone=data["phone"], code=data["code"])
        booking = services.booking_create(
            facility=facility,
            date=data["date"],
            slot_start=data["slot"],
            name=data["name"],
            phone=phone,
            people=data["people"],
            purpose=data["purpose"],
            by=None,
        )
    except DomainError as exc:
        form_error(form, exc)
        return render(request, template, context, status=exc.status)
    return redirect("public:facility_booking", estate.code, booking.token)


def _booking(estate, token: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("facility", "estate"), estate=estate, token=token
    )


def booking_detail(request, code: str, token: str):
    estate = public_estate(code)
    booking = _booking(estate, token)
    return render(
        request,
        "facilities/public/booking.html",
        {"estate": estate, "booking": booking, "cancel_by": services.cancel_deadline(booking)},
    )


@require_POST
def booking_cancel(request, code: str, token: str):
    estate = public_estate(code)
    booking = _booking(estate, token)
    try:
        services.booking_cancel(booking=booking, by=None)
    except DomainError as exc:
        return render(
            request,
            "facilities/public/booking.html",
            {
                "estate": estate,
                "booking": booking,
                "cancel_by": services.cancel_deadline(booking),
                "error": exc.message,
            },
            status=exc.status,
        )
    return redirect("public:facility_booking", estate.code, booking.token)
