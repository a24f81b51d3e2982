"""Resident imports run in the background: a thin call into the service. A job whose task
dies on an unexpected error is marked failed, so its page stops waiting."""

from huey.contrib.djhuey import db_task

from residents import services
from residents.models import ImportJob


def _run(job_id: int, step) -> None:
    job = ImportJob.objects.select_related("estate", "by").get(pk=job_id)
    try:
        step(job=job)
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED)
        raise


@db_task()
def import_check(job_id: int):
    _run(job_id, services.import_job_check)


@db_task()
def import_apply(job_id: int):
    _run(job_id, services.import_job_apply)
