"""Importing residents from a spreadsheet: upload → check (dry run, in the background, with
its progress) → the report → import (in the background) → done."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from estate import scoping
from estate.errors import DomainError
from estate.pages import estate_page
from residents import permissions as perm
from residents import services, tasks
from residents.exports import xlsx_response
from residents.forms import ImportForm
from residents.models import ImportJob
from residents.services.imports import TEMPLATE_HEADER, read_rows


@estate_page(perm.IMPORT)
def import_page(request, estate):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            job = services.import_job_start(
                estate=estate, by=request.user, filename=upload.name, rows=rows
            )
            tasks.import_check(job.pk)
            return redirect("residents:import_job", job.pk)
    jobs = ImportJob.objects.filter(estate=estate).select_related("by")[:10]
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "residents/import.html",
        {"estate": estate, "form": form, "jobs": jobs},
        status=status,
    )


def _job(request, estate, job_id):
    return scoping.get_scoped_or_404(
        ImportJob.objects.filter(estate=estate).select_related("by"), request.user, pk=job_id
    )


@estate_page(perm.IMPORT)
def import_job(request, estate, job_id: int):
    """The job: its progress (polled by htmx while it runs), then its dry-run report."""
    job = _job(request, estate, job_id)
    template = (
        "residents/_import_job.html"
        if request.headers.get("HX-Request")
        else "residents/import_job.html"
    )
    return render(request, template, {"estate": estate, "job": job})


@estate_page(perm.IMPORT)
def import_confirm(request, estate, job_id: int):
    job = _job(request, estate, job_id)
    if request.method != "POST":
        return redirect("residents:import_job", job.pk)
    try:
        job = services.import_job_confirm(job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("residents:import_job", job.pk)
    tasks.import_apply(job.pk)
    return redirect("residents:import_job", job.pk)


@estate_page(perm.IMPORT)
def import_template(request, estate):
    example = ["王伟", "13812345678", "业主", "身份证", "", "1-1-101", "是", "2026-03-01"]
    return xlsx_response(TEMPLATE_HEADER, [example], "residents-template.xlsx", _("Residents"))
