"""Arrears (欠费): the ageing of an estate and per unit with filters, reminders to pay
(催缴记录), arrears notices one by one or in one PDF, and the list's exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import localtime, scoping
from estate.errors import DomainError
from estate.pages import (
    current_estate,
    estate_page,
    forbidden,
    page_of,
    pdf_response,
    query_without,
    safe_next,
)
from fees import exports, pdf, selectors, services
from fees import permissions as perm
from fees.forms import BUCKET_LABELS, ArrearsFilterForm, ReminderForm
from fees.views.common import form_error, scoped_unit

BUCKETS = list(BUCKET_LABELS)


def _filtered(request, estate, today):
    form = ArrearsFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, selectors.arrears_list(estate=estate, today=today).none()
    return form, selectors.arrears_list(estate=estate, today=today, **form.selector_args())


@estate_page(perm.VIEW)
def arrears(request, estate):
    """Units in arrears, largest total first, with their ageing, contact and latest reminder;
    the estate's ageing on top. 50 a page, a fixed number of queries."""
    today = localtime.today(estate)
    form, qs = _filtered(request, estate, today)
    page = page_of(qs, request, qs.count())
    ids = [row["unit_id"] for row in page.rows]
    contacts = selectors.primary_contacts(ids)
    reminders = selectors.latest_reminders(ids)
    for row in page.rows:
        row["contact"] = contacts.get(row["unit_id"])
        row["reminder"] = reminders.get(row["unit_id"])
        row["ages"] = [(BUCKET_LABELS[key], row[key]) for key in BUCKETS]
    return render(
        request,
        "fees/arrears.html",
        {
            "estate": estate,
            "today": today,
            "form": form,
            "page": page,
            "ageing": selectors.arrears_ageing(estate=estate, today=today),
            "bucket_labels": [BUCKET_LABELS[key] for key in BUCKETS],
            "query": query_without(request, "page"),
            "can_export": scoping.can(request.user, estate, perm.EXPORT),
            "can_remind": scoping.can(request.user, estate, perm.REMINDER_RECORD),
        },
    )


def _export(request, fmt: str):
    estate = current_estate(request)
    if not scoping.can(request.user, estate, perm.EXPORT):
        return forbidden(request)
    _form, qs = _filtered(request, estate, localtime.today(estate))
    return exports.arrears_export(request, qs, estate=estate, fmt=fmt)


@login_required
def arrears_csv(request):
    return _export(request, "csv")


@login_required
def arrears_xlsx(request):
    return _export(request, "xlsx")


@estate_page(perm.VIEW)
def notices_pdf(request, estate):
    """The arrears notices of every unit the list's filters show, one page each, one PDF."""
    today = localtime.today(estate)
    form, qs = _filtered(request, estate, today)
    units = None
    if form.is_bound:
        units = list(qs.values_list("unit_id", flat=True))
    content = pdf.arrears_notices_pdf(estate=estate, today=today, units=units)
    return pdf_response(content, f"{estate.code}-arrears-{today}.pdf")


@login_required
def unit_notice_pdf(request, unit_id: int):
    unit = scoped_unit(request, unit_id)
    if not scoping.can(request.user, unit.estate, perm.VIEW):
        return forbidden(request)
    today = localtime.today(unit.estate)
    return pdf_response(
        pdf.arrears_notice_pdf(unit=unit, today=today), f"{unit.number}-arrears-{today}.pdf"
    )


@login_required
def reminders(request, unit_id: int):
    """A unit's reminders to pay and what it owes by age; record a new reminder (when, how,
    what was promised). A refused reminder comes back as typed, with the error."""
    unit = scoped_unit(request, unit_id)
    estate = unit.estate
    if not scoping.can(request.user, estate, perm.VIEW):
        return forbidden(request)
    can_record = scoping.can(request.user, estate, perm.REMINDER_RECORD)
    default_next = reverse("fees:arrears") + f"?estate={estate.code}"
    status = 200
    form = ReminderForm() if can_record else None
    if request.method == "POST":
        if not can_record:
            return forbidden(request)
        form = ReminderForm(request.POST)
        with timezone.override(estate.tz):
            valid = form.is_valid()
        status = 422
        if valid:
            data = form.cleaned_data
            try:
                services.reminder_record(
                    unit=unit,
                    channel=data["channel"],
                    note=data["note"],
                    promised_date=data["promised_date"],
                    at=data["at"],
                    by=request.user,
                )
            except DomainError as exc:
                form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Reminder for %(u)s recorded.") % {"u": unit.number})
                return redirect(safe_next(request, default_next))
    today = localtime.today(estate)
    ageing = selectors.unit_arrears(unit=unit, today=today)
    return render(
        request,
        "fees/reminders.html",
        {
            "estate": estate,
            "unit": unit,
            "form": form,
            "history": list(selectors.unit_reminders(unit)[:100]),
            "ageing": ageing,
            "ages": [(BUCKET_LABELS[key], ageing[key]) for key in BUCKETS],
            "contact": selectors.primary_contacts([unit.pk]).get(unit.pk),
            "today": today,
            "next": safe_next(request, default_next),
        },
        status=status,
    )
