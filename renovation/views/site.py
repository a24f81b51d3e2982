"""The board of an estate, patrols, violations (record, close, the list with its filters and
the KPI drill-down, the notice PDF), acceptance and the deposit's refund."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from estate import kpi
from estate.errors import DomainError
from estate.localtime import day_start, today
from estate.pages import estate_page, forbidden, page_of, pdf_response, query_without
from renovation import pdf, roles, selectors, services
from renovation.forms import (
    AcceptanceForm,
    CloseForm,
    InspectionForm,
    ViolationFilterForm,
    ViolationForm,
)
from renovation.models import Application, Violation
from renovation.views.applications import render_application
from renovation.views.common import add_error, scoped_application, scoped_violation

PARTS = {"numerator": gettext_lazy("numerator"), "denominator": gettext_lazy("denominator")}


@estate_page(roles.VIEW)
def board(request, estate):
    """Units renovating (and approved, waiting to start): days left, last patrol, open and
    overdue violations; those not patrolled for the estate's N days are flagged. Narrowed by
    ``status`` (approved / renovating), ``violations=open`` and ``uninspected``: the
    dashboard's renovation lines land on exactly the applications they count."""
    now = timezone.now()
    policy = services.policy_for(estate)
    rows = selectors.board(estate=estate, now=now)
    limit = now - dt.timedelta(days=policy.inspect_every_days)
    day = today(estate, now=now)
    for row in rows:
        row.days_left = (row.end_date - day).days
        row.needs_patrol = row.status == "renovating" and (
            (row.last_inspected_at or row.started_at or now) < limit
        )
    if request.GET.get("uninspected"):
        rows = [r for r in rows if r.needs_patrol]
    status = request.GET.get("status")
    if status in (Application.Status.APPROVED, Application.Status.RENOVATING):
        rows = [r for r in rows if r.status == status]
    if request.GET.get("violations") == "open":
        rows = [r for r in rows if r.open_violations]
    return render(
        request,
        "renovation/board.html",
        {
            "estate": estate,
            "rows": rows,
            "policy": policy,
            "uninspected": bool(request.GET.get("uninspected")),
            "narrowed": bool(status or request.GET.get("violations")),
            "needs_patrol": sum(1 for r in rows if r.needs_patrol),
        },
    )


def _on_site(request, application_id: int, form_class, key: str, write):
    """POST of a form on the application page: ``write(app, form)`` calls the service; a
    refusal comes back on the page with the form filled in and the error by its field."""
    app = scoped_application(request, application_id)
    form = form_class(request.POST, request.FILES, estate=app.estate)
    if form.is_valid():
        try:
            write(app, form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            add_error(form, exc, {"type": "violation_type", "description": "violation_description"})
        else:
            return redirect("renovation:application", application_id=app.pk)
    return render_application(request, app, {key: form}, status=422)


def _seen(data) -> list[dict]:
    if not data.get("violation_type"):
        return []
    return [{"type": data["violation_type"], "description": data["violation_description"]}]


@login_required
@require_POST
def inspection_create(request, application_id: int):
    return _on_site(
        request,
        application_id,
        InspectionForm,
        "inspection",
        lambda app, data: services.inspection_record(
            application=app,
            notes=data["notes"],
            photo=data["photo"],
            violations=_seen(data),
            by=request.user,
        ),
    )


@login_required
@require_POST
def violation_create(request, application_id: int):
    def write(app, data):
        if data["source"] == Violation.Source.RESIDENT_REPORT:
            return services.violation_report_from_resident(
                application=app, type=data["type"], description=data["description"], by=request.user
            )
        return services.violation_record(
            application=app,
            source=data["source"],
            type=data["type"],
            description=data["description"],
            by=request.user,
        )

    return _on_site(request, application_id, ViolationForm, "violation", write)


@login_required
@require_POST
def acceptance_create(request, application_id: int):
    def write(app, data):
        form = AcceptanceForm(request.POST, estate=app.estate)
        form.is_valid()
        return services.acceptance_record(
            application=app,
            checklist=form.checklist(),
            notes=data["notes"],
            violations=_seen(data),
            by=request.user,
        )

    return _on_site(request, application_id, AcceptanceForm, "acceptance", write)


@login_required
@require_POST
def application_refund(request, application_id: int):
    app = scoped_application(request, application_id)
    try:
        refund = services.application_deposit_refund(application=app, by=request.user)
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Deposit refunded: %(a)s yuan, %(p)s withheld.")
            % {"a": refund.amount, "p": refund.penalty},
        )
    return redirect("renovation:application", application_id=app.pk)


@login_required
@require_POST
def violation_close(request, violation_id: int):
    violation = scoped_violation(request, violation_id)
    app = violation.application
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == Violation.Outcome.RECTIFIED:
                services.violation_close_rectified(
                    violation=violation,
                    evidence=data["evidence"],
                    photo=data["photo"],
                    by=request.user,
                )
            else:
                services.violation_close_not_rectified(
                    violation=violation,
                    penalty=data["penalty"] or "0",
                    reason=data["reason"],
                    by=request.user,
                )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            add_error(form, exc)
        else:
            return redirect("renovation:application", application_id=app.pk)
    return render_application(request, app, {"close": form, "close_for": violation.pk}, status=422)


@login_required
def violation_notice_pdf(request, violation_id: int):
    violation = scoped_violation(request, violation_id)
    return pdf_response(pdf.notice_pdf(violation), f"{violation.number}.pdf")


def _drill(request, estate):
    """The violations behind a rate's numerator or denominator (the KPI table's links)."""
    key = request.GET.get("metric")
    if not key:
        return None, None
    part = request.GET.get("part") or "denominator"
    period = kpi.Period.month(estate.tz, request.GET.get("period") or "")
    qs = selectors.metric_violations(
        estate=estate, period=period, key=key, part=part, snapshot=request.GET.get("snapshot")
    )
    heading = _("%(metric)s, %(period)s: the violations of the %(part)s") % {
        "metric": kpi.get(key).label,
        "period": period.label,
        "part": PARTS.get(part, part),
    }
    return qs, heading


@estate_page(roles.VIEW)
def violation_list(request, estate):
    """Violations of the estate with filters (found between, source, open / overdue / closed);
    with ``metric``/``period``/``part`` exactly the violations behind one rate. Overdue ones
    are highlighted. A fixed number of queries whatever the page holds."""
    now = timezone.now()
    form = ViolationFilterForm(request.GET)
    heading = error = None
    qs = Violation.objects.none()
    if form.is_valid():
        data = form.cleaned_data
        try:
            drill, heading = _drill(request, estate)
        except (DomainError, KeyError) as exc:
            error = getattr(exc, "message", _("There is no such rate."))
        else:
            qs = selectors.violation_list(
                estates=[estate],
                found_from=day_start(data["found_from"], estate) if data["found_from"] else None,
                found_to=day_start(data["found_to"], estate) if data["found_to"] else None,
                source=data["source"] or None,
                state=data["state"] or None,
                now=now,
            )
            if drill is not None:
                qs = qs & drill
    page = page_of(selectors.violation_rows(qs), request, qs.count())
    return render(
        request,
        "renovation/violations.html",
        {
            "estate": estate,
            "form": form,
            "page": page,
            "heading": heading,
            "error": error,
            "now": now,
            "query": query_without(request, "page"),
        },
    )
