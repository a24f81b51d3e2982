"""The contractor's workers on the application page: add, remove, print a pass (出入证)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from estate.errors import DomainError
from estate.pages import forbidden, pdf_response
from renovation import pdf, services
from renovation.forms import WorkerForm
from renovation.views.applications import render_application
from renovation.views.common import add_error, scoped_application


@login_required
@require_POST
def worker_add(request, application_id: int):
    app = scoped_application(request, application_id)
    form = WorkerForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.worker_add(
                application=app,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            add_error(form, exc)
            status = exc.status
        else:
            return redirect("renovation:application", application_id=app.pk)
    return render_application(request, app, {"worker": form}, status=status)


@login_required
@require_POST
def worker_remove(request, application_id: int, worker_id: int):
    app = scoped_application(request, application_id)
    worker = get_object_or_404(app.site_workers, pk=worker_id)
    try:
        services.worker_remove(worker=worker, by=request.user)
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request)
        form = WorkerForm()
        add_error(form, exc)
        return render_application(request, app, {"worker": form}, status=exc.status)
    return redirect("renovation:application", application_id=app.pk)


@login_required
def worker_pass_pdf(request, application_id: int, worker_id: int):
    app = scoped_application(request, application_id)
    worker = get_object_or_404(app.site_workers.select_related("application__unit"), pk=worker_id)
    worker.application = app
    return pdf_response(pdf.worker_pass_pdf(worker), f"{app.number}-{worker.pk}.pdf")
