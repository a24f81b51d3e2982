"""What the renovation pages share: the application of the request, scoped to the user."""

from django.http import Http404

from estate import scoping
from estate.errors import DomainError
from renovation import roles
from renovation.models import Application, Violation


def scoped_application(request, application_id: int) -> Application:
    """The application if the user may see renovations of its estate; 404 otherwise."""
    app = scoping.get_scoped_or_404(
        Application.objects.select_related("estate", "unit", "deposit_bill"),
        request.user,
        pk=application_id,
    )
    if not scoping.can(request.user, app.estate_id, roles.VIEW):
        raise Http404
    return app


def scoped_violation(request, violation_id: int) -> Violation:
    violation = scoping.get_scoped_or_404(
        Violation.objects.select_related("estate", "type", "application__unit"),
        request.user,
        pk=violation_id,
    )
    if not scoping.can(request.user, violation.estate_id, roles.VIEW):
        raise Http404
    return violation


def add_error(form, exc: DomainError, fields: dict | None = None) -> None:
    name = (fields or {}).get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, exc.message)
