"""The bills list (also the drill-down behind the fee rates) and its exports."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from estate import localtime, scoping
from estate.pages import current_estate, estate_page, forbidden, page_of, query_without
from fees import exports, selectors
from fees import permissions as perm
from fees.forms import BillFilterForm


def _filtered_bills(request, estate):
    """The bills of the page's filters and the bound form; invalid filters show no rows."""
    form = BillFilterForm(request.GET)
    if form.is_valid():
        qs = selectors.bill_list(user=request.user, estate=estate, filters=form.filters())
    else:
        qs = selectors.bill_list(user=request.user, estate=estate).none()
    return form, qs


@estate_page(perm.VIEW)
def bills(request, estate):
    """Bills of one estate, filtered; 50 a page with their totals, a fixed number of queries."""
    form, qs = _filtered_bills(request, estate)
    totals = selectors.bill_totals(qs)
    counted = None
    if form.is_valid():
        counted = selectors.bill_drill_counted(estate=estate, filters=form.filters())
    page = page_of(qs, request, totals["count"])
    return render(
        request,
        "fees/bills.html",
        {
            "estate": estate,
            "form": form,
            "page": page,
            "totals": totals,
            "counted": counted,
            "query": query_without(request, "page"),
            "can_export": scoping.can(request.user, estate, perm.EXPORT),
            "today": localtime.today(estate),
        },
    )


def _export(request, fmt: str):
    estate = current_estate(request)
    if not scoping.can(request.user, estate, perm.EXPORT):
        return forbidden(request)
    _form, qs = _filtered_bills(request, estate)
    return exports.bills_export(request, qs, estate=estate, fmt=fmt)


@login_required
def bills_csv(request):
    return _export(request, "csv")


@login_required
def bills_xlsx(request):
    return _export(request, "xlsx")
