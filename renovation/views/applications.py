"""Applications: the list and review queue, the form (new and edit), the detail page with its
steps (the buttons come from workflow.allowed_actions), and the permit PDF."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from estate import privacy, scoping
from estate.errors import DomainError
from estate.models import Unit
from estate.pages import estate_page, forbidden, page_of, pdf_response, query_without
from renovation import pdf, roles, selectors, services, workflow
from renovation.forms import (
    AcceptanceForm,
    ApplicationForm,
    CloseForm,
    InspectionForm,
    TransitionForm,
    ViolationForm,
    WorkerForm,
)
from renovation.models import Application
from renovation.views.common import add_error, scoped_application

S = Application.Status
QUEUE_STATUSES = [S.SUBMITTED, S.CHECKED]


@estate_page(roles.VIEW)
def application_list(request, estate):
    """Applications of the estate, by status; ``?status=queue`` is the review queue (submitted
    and checked). Fixed queries whatever the page holds."""
    status = request.GET.get("status") or ""
    qs = Application.objects.filter(estate=estate)
    counts = qs.aggregate(all=Count("id"), **{s: Count("id", filter=Q(status=s)) for s in S.values})
    if status == "queue":
        qs = qs.filter(status__in=QUEUE_STATUSES)
        count = counts[S.SUBMITTED] + counts[S.CHECKED]
    elif status in S.values:
        qs = qs.filter(status=status)
        count = counts[status]
    else:
        status, count = "", counts["all"]
    page = page_of(selectors.application_rows(qs), request, count)
    chips = [
        ("", _("all"), counts["all"]),
        ("queue", _("review queue"), counts[S.SUBMITTED] + counts[S.CHECKED]),
    ]
    chips += [(value, label, counts[value]) for value, label in S.choices]
    return render(
        request,
        "renovation/applications.html",
        {
            "estate": estate,
            "page": page,
            "status": status,
            "chips": chips,
            "query": query_without(request, "page"),
            "can_apply": scoping.can(request.user, estate, roles.APPLY),
        },
    )


def _form_data(estate, form) -> dict:
    data = dict(form.cleaned_data)
    number = data.pop("unit").strip()
    unit = Unit.objects.filter(estate=estate, number=number).values_list("pk", flat=True).first()
    if unit is None:
        raise DomainError(
            "invalid", _("No unit %(n)s in this estate.") % {"n": number}, field="unit"
        )
    data["unit"] = unit
    data.pop("drawings", None)
    return data


@estate_page(roles.APPLY)
def application_new(request, estate):
    """Take an application (装修申请) at the front desk; refused input comes back filled in,
    the error next to its field."""
    services.policy_for(estate)
    form = ApplicationForm(request.POST or None, request.FILES or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.application_create(
                estate=estate,
                data=_form_data(estate, form),
                drawings=form.cleaned_data["drawings"],
                by=request.user,
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Application %(n)s taken.") % {"n": app.number})
            return redirect("renovation:application", application_id=app.pk)
    status = 422 if form.is_bound else 200
    return render(
        request, "renovation/application_form.html", {"estate": estate, "form": form}, status=status
    )


@login_required
def application_edit(request, application_id: int):
    """Change an application that was returned, rejected or not yet decided."""
    app = scoped_application(request, application_id)
    if not workflow.can(app, "edit", request.user):
        return forbidden(request)
    estate = app.estate
    initial = {
        "unit": app.unit.number,
        "owner_name": app.owner_name,
        "contractor": app.contractor,
        "contractor_person": app.contractor_person,
        "contractor_phone": app.contractor_phone,
        "workers": app.workers,
        "work_types": [w.code for w in app.work_types.all()],
        "start_date": app.start_date,
        "end_date": app.end_date,
        "description": app.description,
    }
    form = ApplicationForm(
        request.POST or None, request.FILES or None, estate=estate, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=app,
                data=_form_data(estate, form),
                drawings=form.cleaned_data["drawings"],
                by=request.user,
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect("renovation:application", application_id=app.pk)
    return render(
        request,
        "renovation/application_form.html",
        {"estate": estate, "form": form, "application": app},
        status=422 if form.is_bound else 200,
    )


def _contractor_phone(request, app: Application) -> str:
    if scoping.can(request.user, app.estate_id, "personal_data.view_unmasked") and (
        request.GET.get("unmask") == "1"
    ):
        privacy.log_unmasked(
            user=request.user, obj=app, field="contractor_phone", estate=app.estate, request=request
        )
        return app.contractor_phone
    return privacy.mask_phone(app.contractor_phone)


def render_application(request, app: Application, forms: dict | None = None, status: int = 200):
    app = selectors.application_detail(app.pk)
    actions = workflow.allowed_actions(app, request.user)
    estate = app.estate
    forms = forms or {}
    return render(
        request,
        "renovation/application.html",
        {
            "estate": estate,
            "app": app,
            "now": timezone.now(),
            "actions": actions,
            "steps": [(a, workflow.ACTION_LABELS[a]) for a in actions if a in workflow.STEPS],
            "contractor_phone": _contractor_phone(request, app),
            "can_unmask": scoping.can(request.user, estate, "personal_data.view_unmasked"),
            "transition_form": forms.get("transition") or TransitionForm(),
            "inspection_form": forms.get("inspection") or InspectionForm(estate=estate),
            "violation_form": forms.get("violation") or ViolationForm(estate=estate),
            "acceptance_form": forms.get("acceptance") or AcceptanceForm(estate=estate),
            "close_form": forms.get("close") or CloseForm(),
            "worker_form": forms.get("worker") or WorkerForm(),
            "can_edit_workers": app.status in services.OPEN_FOR_WORKERS
            and scoping.can(request.user, estate, roles.APPLY),
            "close_for": forms.get("close_for"),
            "can_close": scoping.can(request.user, estate, roles.INSPECT),
            "can_withhold": scoping.can(request.user, estate, roles.REVIEW),
            "refund": getattr(app.deposit_bill, "refund", None) if app.deposit_bill else None,
        },
        status=status,
    )


@login_required
def application_detail(request, application_id: int):
    """One application: facts, history, drawings, the steps the user may take now, patrols,
    violations (with their close), acceptance and the deposit."""
    services.policy_for(scoped_application(request, application_id).estate)
    return render_application(request, scoped_application(request, application_id))


@login_required
@require_POST
def application_transition(request, application_id: int):
    app = scoped_application(request, application_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.application_transition(
                application=app,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            add_error(form, exc)
        else:
            return redirect("renovation:application", application_id=app.pk)
    return render_application(request, app, {"transition": form}, status=409)


@login_required
def application_permit_pdf(request, application_id: int) -> HttpResponse:
    app = scoped_application(request, application_id)
    try:
        content = pdf.permit_pdf(app)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("renovation:application", application_id=app.pk)
    return pdf_response(content, f"{app.number}.pdf")


@login_required
def application_drawing(request, application_id: int, drawing_id: int) -> HttpResponse:
    """A drawing of the application, for staff who may see the estate's renovations; never a
    bare media URL (media is not served in production and would skip the estate check)."""
    app = scoped_application(request, application_id)
    drawing = get_object_or_404(app.drawings, pk=drawing_id)
    kind = "application/pdf" if drawing.kind == "pdf" else None
    kind = kind or mimetypes.guess_type(drawing.file.name)[0] or "application/octet-stream"
    response = FileResponse(drawing.file.open("rb"), filename=drawing.name, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response
