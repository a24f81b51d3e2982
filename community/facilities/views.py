"""Staff pages: the estate's facilities, one facility's day (slots, bookings, booking for a
caller, out of service), creating and editing a facility, and the bookings list."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from community.facilities import selectors, services
from community.facilities.forms import BookingForm, FacilityForm, OutOfServiceForm
from community.facilities.models import Booking, Facility
from estate import scoping
from estate.errors import DomainError
from estate.localtime import today
from estate.pages import estate_page, forbidden, page_of, safe_next
from estate.validators import day_param

FIELD_OF = {"slot_start": "slot", "facility": None, "reporter_phone": "contact_phone"}


def form_error(form, exc: DomainError) -> None:
    """Show a refusal next to the field it names (or above the form)."""
    field = FIELD_OF.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _facility(request, facility_id: int, action: str = "facilities.view") -> Facility | None:
    """The facility if the user's estate has it (404 otherwise); None when the role may not."""
    facility = scoping.get_scoped_or_404(
        Facility.objects.select_related("estate", "out_of_service_ticket"),
        request.user,
        pk=facility_id,
    )
    return facility if scoping.can(request.user, facility.estate, action) else None


@estate_page("facilities.view")
def facility_list(request, estate):
    rows = list(selectors.facilities(estate=estate))
    return render(
        request,
        "facilities/list.html",
        {
            "estate": estate,
            "rows": [(f, services.out_of_service(f)) for f in rows],
            "can_manage": scoping.can(request.user, estate, "facilities.manage"),
        },
    )


def _facility_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("photo", None)
    return data


@require_http_methods(["GET", "POST"])
@estate_page("facilities.manage")
def facility_new(request, estate):
    form = FacilityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_save(
                estate=estate,
                by=request.user,
                photo=form.cleaned_data["photo"],
                **_facility_data(form),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("facilities:detail", facility.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "facilities/form.html", {"estate": estate, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request, facility_id: int):
    facility = _facility(request, facility_id, "facilities.manage")
    if facility is None:
        return forbidden(request)
    initial = {name: getattr(facility, name) for name in services.FACILITY_FIELDS}
    form = FacilityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_save(
                estate=facility.estate,
                by=request.user,
                facility=facility,
                photo=form.cleaned_data["photo"],
                **_facility_data(form),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("facilities:detail", facility.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "facilities/form.html",
        {"estate": facility.estate, "form": form, "facility": facility},
        status=status,
    )


def _day(request, facility: Facility) -> dt.date:
    return day_param(request.GET.get("date"), today(facility.estate))


def _render_detail(request, facility, *, book_form=None, oos_form=None, status=200):
    day = _day(request, facility)
    estate = facility.estate
    return render(
        request,
        "facilities/detail.html",
        {
            "estate": estate,
            "facility": facility,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "slots": selectors.day_slots(facility=facility, date=day),
            "out_of_service": services.out_of_service(facility),
            "book_form": book_form or BookingForm(facility=facility, initial={"date": day}),
            "oos_form": oos_form or OutOfServiceForm(estate=estate),
            "can_book": scoping.can(request.user, estate, "facilities.book"),
            "can_manage": scoping.can(request.user, estate, "facilities.manage"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_detail(request, facility_id: int):
    """The facility's day; a POST books a slot for a caller at the desk."""
    facility = _facility(request, facility_id)
    if facility is None:
        return forbidden(request)
    if request.method == "GET":
        return _render_detail(request, facility)
    form = BookingForm(request.POST, facility=facility)
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                facility=facility,
                date=data["date"],
                slot_start=data["slot"],
                name=data["name"],
                phone=data["phone"],
                people=data["people"],
                purpose=data["purpose"],
                by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            form_error(form, exc)
        else:
            url = reverse("facilities:detail", args=[facility.pk])
            return redirect(f"{url}?date={booking.date.isoformat()}")
    return _render_detail(request, facility, book_form=form, status=400)


@login_required
@require_POST
def facility_out_of_service(request, facility_id: int):
    facility = _facility(request, facility_id, "facilities.manage")
    if facility is None:
        return forbidden(request)
    form = OutOfServiceForm(request.POST, estate=facility.estate)
    if form.is_valid():
        try:
            services.facility_out_of_service(
                facility=facility, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("facilities:detail", facility.pk)
    return _render_detail(request, facility, oos_form=form, status=400)


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    booking = scoping.get_scoped_or_404(
        Booking.objects.select_related("estate"), request.user, pk=booking_id
    )
    if not scoping.can(request.user, booking.estate, "facilities.book"):
        return forbidden(request)
    default = reverse("facilities:detail", args=[booking.facility_id])
    try:
        services.booking_cancel(booking=booking, by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        return render(
            request,
            "facilities/refused.html",
            {"estate": booking.estate, "message": exc.message, "back": default},
            status=exc.status,
        )
    return redirect(safe_next(request, f"{default}?date={booking.date.isoformat()}"))


@estate_page("facilities.view")
def booking_list(request, estate):
    """The estate's bookings from a date on (today by default), 50 a page: two queries (the
    count, the page with its facility)."""
    start = day_param(request.GET.get("from"), today(estate))
    status = request.GET.get("status") or None
    if status not in Booking.Status.values:
        status = None
    qs = selectors.bookings(estate=estate, date_from=start, status=status)
    count = qs.aggregate(n=Count("id"))["n"]
    return render(
        request,
        "facilities/bookings.html",
        {
            "estate": estate,
            "page": page_of(qs, request, count),
            "start": start,
            "status": status or "",
            "statuses": Booking.Status.choices,
            "can_book": scoping.can(request.user, estate, "facilities.book"),
        },
    )
