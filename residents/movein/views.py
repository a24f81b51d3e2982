"""Staff pages of the move-in handover: the slot calendar, the booking form, a day's list,
the handover page walked on a tablet (htmx updates each checklist row in place), and the
handover list the rates drill down to."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from estate import localtime, scoping
from estate.errors import DomainError
from estate.kpi import Period
from estate.models import Unit
from estate.pages import estate_page, forbidden, page_of, pdf_response, query_without
from estate.validators import day_param
from residents.movein import pdf, roles, selectors, services, workflow
from residents.movein.forms import BookingForm, DefectForm, RatingForm
from residents.movein.models import Handover, HandoverItem


def _date(value: str | None, default: dt.date) -> dt.date:
    return day_param(value, default)


@estate_page(roles.VIEW)
def calendar(request, estate):
    """Slots x the next 14 days, with booked / capacity in each cell."""
    today = localtime.today(estate)
    start = _date(request.GET.get("start"), today)
    cal = selectors.calendar(estate=estate, start=start, days=14)
    return render(
        request,
        "movein/calendar.html",
        {
            "estate": estate,
            "cal": cal,
            "today": today,
            "previous": start - dt.timedelta(days=14),
            "next": start + dt.timedelta(days=14),
            "can_manage": scoping.can(request.user, estate, roles.MANAGE),
            "can_configure": scoping.can(request.user, estate, roles.CONFIGURE),
        },
    )


@require_POST
@estate_page(roles.CONFIGURE)
def calendar_defaults(request, estate):
    """Give the estate the default slots, daily capacity and checklist (idempotent)."""
    services.calendar_install_defaults(estate=estate)
    return redirect(f"{reverse('movein:calendar')}?estate={estate.code}")


@estate_page(roles.MANAGE)
def book(request, estate):
    """The booking form; on a refusal it comes back filled in with the error at its field."""
    if request.method == "POST":
        form = BookingForm(request.POST, estate=estate)
        if form.is_valid():
            data = form.cleaned_data
            unit = Unit.objects.filter(estate=estate, number=data["unit"].strip()).first()
            try:
                handover = services.handover_book(
                    estate=estate,
                    unit=unit,
                    date=data["date"],
                    slot=data["slot"],
                    owner_name=data["owner_name"],
                    owner_phone=data["owner_phone"],
                    note=data["note"],
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("movein:handover", handover.pk)
        status = 422
    else:
        form = BookingForm(
            estate=estate,
            initial={"date": request.GET.get("date"), "slot": request.GET.get("slot")},
        )
        status = 200
    return render(request, "movein/book.html", {"estate": estate, "form": form}, status=status)


@estate_page(roles.VIEW)
def day(request, estate):
    """One day's handovers in slot order."""
    date = _date(request.GET.get("date"), localtime.today(estate))
    return render(
        request,
        "movein/day.html",
        {
            "estate": estate,
            "date": date,
            "handovers": list(selectors.day_list(estate=estate, date=date)),
            "previous": date - dt.timedelta(days=1),
            "next": date + dt.timedelta(days=1),
        },
    )


@estate_page(roles.VIEW)
def handover_list(request, estate):
    """Handovers, newest first; with ``metric``/``part``/``period`` exactly the records a rate
    counted (the same condition as movein.metrics)."""
    metric = request.GET.get("metric")
    period = None
    if metric:
        try:
            period = Period.month(estate.tz, request.GET.get("period", ""))
            qs = selectors.with_rows(
                selectors.metric_handovers(
                    estate=estate,
                    period=period,
                    key=metric,
                    part=request.GET.get("part", "denominator"),
                    snapshot=request.GET.get("snapshot"),
                )
            ).order_by("-completed_at", "-id")
        except DomainError as exc:
            return render(
                request, "movein/list.html", {"estate": estate, "error": exc.message}, status=400
            )
    else:
        status = request.GET.get("status") or None
        if status not in (None, *Handover.Status.values):
            status = None
        qs = selectors.handover_list(user=request.user, estate=estate, status=status)
    page = page_of(qs, request, qs.count())
    return render(
        request,
        "movein/list.html",
        {
            "estate": estate,
            "page": page,
            "metric": metric,
            "part": request.GET.get("part"),
            "period": period,
            "query": query_without(request, "page"),
            "statuses": Handover.Status.choices,
        },
    )


# The handover page ------------------------------------------------------------------------------


def _get(request, handover_id: int) -> Handover:
    handover = selectors.handover_detail(user=request.user, handover_id=handover_id)
    if handover is None:
        raise Http404
    return handover


def _context(request, handover: Handover, **extra) -> dict:
    items = list(handover.items.all())
    can_manage = scoping.can(request.user, handover.estate, roles.MANAGE)
    return {
        "estate": handover.estate,
        "handover": handover,
        "items": items,
        "defects": list(handover.defects.all()),
        "allowed": workflow.allowed_actions(handover) if can_manage else set(),
        "can_manage": can_manage,
        "defect_form": extra.pop("defect_form", None) or DefectForm(items=items),
        "rating_form": extra.pop("rating_form", None) or RatingForm(),
        "rating_link": request.build_absolute_uri(
            reverse("public:handover_rate", args=[handover.estate.code, handover.rating_token])
        ),
        **extra,
    }


@login_required
def handover(request, handover_id: int):
    handover = _get(request, handover_id)
    if not scoping.can(request.user, handover.estate, roles.VIEW):
        return forbidden(request)
    return render(request, "movein/handover.html", _context(request, handover))


def _managed(request, handover_id: int):
    handover = _get(request, handover_id)
    if not scoping.can(request.user, handover.estate, roles.MANAGE):
        return handover, forbidden(request)
    return handover, None


@login_required
@require_POST
def item_update(request, handover_id: int, item_id: int):
    """One checklist row, ticked with its count or reading; htmx swaps the row in place."""
    handover, refused = _managed(request, handover_id)
    if refused:
        return refused
    item = HandoverItem.objects.filter(pk=item_id, handover=handover).first()
    if item is None:
        raise Http404
    error = None
    try:
        item = services.item_update(
            item=item,
            done=request.POST.get("done", "1") == "1",
            key_count=request.POST.get("key_count"),
            reading=request.POST.get("reading"),
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except DomainError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        handover = _get(request, handover_id)
        item = next(i for i in handover.items.all() if i.pk == item.pk)
        context = _context(request, handover, item=item, error=error, posted=request.POST)
        return render(request, "movein/_item.html", context)
    if error:
        context = _context(request, handover, item_errors={item.pk: error})
        return render(request, "movein/handover.html", context, status=422)
    return redirect("movein:handover", handover.pk)


@login_required
@require_POST
def defect_add(request, handover_id: int):
    handover, refused = _managed(request, handover_id)
    if refused:
        return refused
    items = list(handover.items.all())
    form = DefectForm(request.POST, items=items)
    if form.is_valid():
        item = next((i for i in items if i.pk == form.cleaned_data["item"]), None)
        try:
            services.defect_add(
                handover=handover,
                description=form.cleaned_data["description"],
                item=item,
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(reverse("movein:handover", args=[handover.pk]) + "#defects")
    context = _context(request, handover, defect_form=form)
    return render(request, "movein/handover.html", context, status=422)


@login_required
@require_POST
def rate(request, handover_id: int):
    handover, refused = _managed(request, handover_id)
    if refused:
        return refused
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.handover_rate(
                handover=handover,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("movein:handover", handover.pk)
    context = _context(request, handover, rating_form=form)
    return render(request, "movein/handover.html", context, status=422)


TRANSITIONS = {
    "start": services.handover_start,
    "complete": services.handover_complete,
    "cancel": services.handover_cancel,
}


@login_required
@require_POST
def action(request, handover_id: int, action: str):
    """Start, complete or cancel; a refusal (e.g. an open item) is shown on the page, 409."""
    if action not in TRANSITIONS:
        raise Http404
    handover, refused = _managed(request, handover_id)
    if refused:
        return refused
    try:
        TRANSITIONS[action](handover=handover, by=request.user)
    except DomainError as exc:
        context = _context(request, handover, action_error=exc.message)
        return render(request, "movein/handover.html", context, status=exc.status)
    return redirect("movein:handover", handover.pk)


@login_required
def acknowledgement_pdf(request, handover_id: int):
    handover = _get(request, handover_id)
    if not scoping.can(request.user, handover.estate, roles.VIEW):
        return forbidden(request)
    return pdf_response(pdf.acknowledgement(handover), f"handover-{handover.pk}.pdf")
