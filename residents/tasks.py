"""Resident imports run in the background: a thin call into the service."""

from huey.contrib.djhuey import db_task

from residents import services
from residents.models import ImportJob


@db_task()
def import_check(job_id: int):
    job = ImportJob.objects.select_related("estate", "by").get(pk=job_id)
    services.import_job_check(job=job)


@db_task()
def import_apply(job_id: int):
    job = ImportJob.objects.select_related("estate", "by").get(pk=job_id)
    services.import_job_apply(job=job)
