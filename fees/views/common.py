"""What several fees pages share beyond estate.pages: the unit or payment of the URL (404
outside the user's estates), the month a page shows, and a refused service call shown as a
form error. The estate, the forbidden answer, ``next``, PDFs and the pager come from
estate.pages."""

from django.utils import timezone

from estate import kpi, scoping
from estate.errors import DomainError
from fees import permissions as perm
from fees import selectors


def scoped_unit(request, unit_id: int):
    return selectors.unit_for_page(user=request.user, unit_id=unit_id)


def scoped_payment(request, payment_id: int):
    return selectors.payment_for_page(user=request.user, payment_id=payment_id)


def may_see_payment(user, estate) -> bool:
    return scoping.can(user, estate, perm.VIEW) or scoping.can(user, estate, perm.PAYMENT_RECORD)


def form_error(form, exc: DomainError) -> None:
    """A refused service call, shown beside the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def month_of(request, estate) -> tuple[kpi.Period, str | None]:
    """The month of ``?period=YYYY-MM`` (this month when absent), and the error of a bad one
    (then this month is shown beside it)."""
    label = request.GET.get("period") or ""
    if label:
        try:
            return kpi.Period.month(estate.tz, label), None
        except DomainError as exc:
            return kpi.Period.containing(estate.tz, timezone.now()), exc.message
    return kpi.Period.containing(estate.tz, timezone.now()), None
