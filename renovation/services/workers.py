"""The contractor's workers of an application (装修工人), for their passes (出入证)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.scoping import require
from estate.validators import clean_text
from renovation import roles
from renovation.models import Application, Worker
from renovation.services.applications import _lock

OPEN_FOR_WORKERS = (Application.Status.APPROVED, Application.Status.RENOVATING)


def _check_open(app: Application) -> None:
    if app.status not in OPEN_FOR_WORKERS:
        raise DomainError(
            "invalid_transition",
            _("Application %(n)s is %(s)s; workers are listed once it is approved.")
            % {"n": app.number, "s": app.get_status_display()},
            field="status",
        )


def _id_last4(value) -> str:
    """The last four characters of the ID document (a full number may be typed: only its
    last four are kept)."""
    text = re.sub(r"\s", "", str(value or "")).upper()
    if not re.fullmatch(r"[0-9X]{4,18}", text):
        raise DomainError(
            "invalid", _("Give the last 4 characters of the ID document."), field="id_number"
        )
    return text[-4:]


@transaction.atomic
def worker_add(*, application: Application, name: str, id_number: str, by) -> Worker:
    """Add a worker to an approved or renovating application."""
    app = _lock(application)
    require(by, app.estate, roles.APPLY)
    _check_open(app)
    return Worker.objects.create(
        estate=app.estate,
        application=app,
        name=clean_text(name, field="name", max_length=50, required=True),
        id_last4=_id_last4(id_number),
        added_at=timezone.now(),
        added_by=by,
    )


@transaction.atomic
def worker_remove(*, worker: Worker, by) -> None:
    """Take a worker off an approved or renovating application (the pass is no longer valid)."""
    app = _lock(worker.application)
    require(by, app.estate, roles.APPLY)
    _check_open(app)
    Worker.objects.filter(pk=worker.pk, application=app).delete()
