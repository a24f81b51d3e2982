"""Staff pages of fees: the bills list (also the drill-down behind the fee rates) with its
exports, and the collection overview of an estate and month.

The cashier desk is in views_cashier, the unit's account in views_account, arrears in
views_arrears and meter readings in views_meters."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from estate import kpi, scoping
from estate.errors import DomainError
from fees import exports, metrics, pdf, selectors
from fees import permissions as perm
from fees.forms import BillFilterForm
from fees.views_common import (
    forbidden,
    page_estate,
    page_of,
    pdf_response,
    query_without,
    today_in,
    with_query,
)

TREND_MONTHS = 12


def _filtered_bills(request, estate):
    """The bills of the page's filters and the bound form; invalid filters show no rows."""
    form = BillFilterForm(request.GET)
    qs = selectors.bill_list(user=request.user, estate=estate)
    if form.is_valid():
        qs = selectors.bill_list(user=request.user, estate=estate, filters=form.filters())
    else:
        qs = qs.none()
    return form, qs


@login_required
def bills(request):
    """Bills of one estate, filtered; 50 a page with their totals, a fixed number of queries."""
    estate = page_estate(request)
    if not scoping.can(request.user, estate, perm.VIEW):
        return forbidden(request)
    form, qs = _filtered_bills(request, estate)
    totals = qs.aggregate(
        count=Count("id"),
        due=Coalesce(Sum("amount_due"), selectors.ZERO),
        paid=Coalesce(Sum("amount_paid"), selectors.ZERO),
    )
    page = page_of(qs, request, totals["count"])
    query = query_without(request, "page")
    return render(
        request,
        "fees/bills.html",
        {
            "estate": estate,
            "form": form,
            "page": page,
            "totals": totals,
            "query": query,
            "can_export": scoping.can(request.user, estate, perm.EXPORT),
            "today": today_in(estate),
        },
    )


def _export(request, fmt: str):
    estate = page_estate(request)
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


def _period(request, estate) -> tuple[kpi.Period, str | None]:
    label = request.GET.get("period") or ""
    if label:
        try:
            return kpi.Period.month(estate.tz, label), None
        except DomainError as exc:
            return kpi.Period.containing(estate.tz, timezone.now()), exc.message
    return kpi.Period.containing(estate.tz, timezone.now()), None


def _pct(ratio: kpi.Ratio):
    """The rate as a percentage for display (0.7247 -> 72.47); None where it has no value."""
    return None if ratio.rate is None else ratio.rate * 100


def _fee_metrics() -> list[kpi.Metric]:
    return [m for m in kpi.metrics() if m.key.startswith("fees.")]


@login_required
def overview(request):
    """Collection of an estate for a month (收缴情况): the three fee rates exactly as the KPI
    registry computes them, each part linking to its bills; billed and paid per fee item;
    arrears ageing; and the same rates for the twelve months before."""
    estate = page_estate(request)
    if not scoping.can(request.user, estate, perm.VIEW):
        return forbidden(request)
    period, error = _period(request, estate)
    ratios = metrics.compute(estate=estate, period=period)
    rates = [
        {
            "metric": m,
            "ratio": ratios[m.key],
            "pct": _pct(ratios[m.key]),
            "num_link": m.link(estate, period, "numerator"),
            "den_link": m.link(estate, period, "denominator"),
        }
        for m in _fee_metrics()
    ]
    trend = []
    month = period
    for _i in range(TREND_MONTHS):
        month = month.previous()
        month_ratios = metrics.compute(estate=estate, period=month)
        collection = month_ratios["fees.collection_rate"]
        trend.append(
            {
                "period": month,
                "due": collection.denominator,
                "paid": collection.numerator,
                "pcts": [_pct(month_ratios[m.key]) for m in _fee_metrics()],
            }
        )
    today = today_in(estate)
    return render(
        request,
        "fees/overview.html",
        {
            "estate": estate,
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "error": error,
            "period_input": request.GET.get("period") or period.label,
            "collection": ratios["fees.collection_rate"],
            "rates": rates,
            "statement": selectors.period_statement(estate=estate, period=period),
            "ageing": selectors.arrears_ageing(estate=estate, today=today),
            "today": today,
            "trend": trend,
            "trend_labels": [m.label for m in _fee_metrics()],
            "due_bills_link": with_query(
                reverse("fees:bills"),
                estate=estate.code,
                due_from=period.start_date.isoformat(),
                due_to=period.end_date.isoformat(),
                voided="no",
            ),
        },
    )


@login_required
def statement_pdf(request):
    """The estate's fee statement for a month, as the overview shows it, printable."""
    estate = page_estate(request)
    if not scoping.can(request.user, estate, perm.VIEW):
        return forbidden(request)
    period, error = _period(request, estate)
    if error:
        return render(request, "fees/error.html", {"error": error}, status=422)
    content = pdf.period_statement_pdf(estate=estate, period=period)
    return pdf_response(content, f"{estate.code}-{period.label}.pdf")
