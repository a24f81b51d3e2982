"""The collection overview of an estate and month (收缴情况) and its printable statement.

The rates are read from the stored KPI snapshot (estate.selectors.kpi_tables), the figure the
rates page, the statement PDF and GET /api/v1/kpis show too, with the moment it was computed;
nothing here computes and stores one."""

from django.shortcuts import render
from django.urls import reverse

from estate import kpi, localtime, selectors
from estate.pages import estate_page, pdf_response, with_query
from fees import pdf
from fees import permissions as perm
from fees import selectors as fees_selectors
from fees.views.common import month_of

TREND_MONTHS = 12


def _pct(ratio: kpi.Ratio):
    """The rate as a percentage for display (0.7247 -> 72.47); None where it has no value."""
    return None if ratio.rate is None else ratio.rate * 100


@estate_page(perm.VIEW)
def overview(request, estate):
    """The three fee rates of the month as the KPI table shows them, each part linking to its
    bills; billed and paid per fee item; arrears ageing; and the rates of the twelve months
    before. The snapshots of the thirteen months are read in one query."""
    period, error = month_of(request, estate)
    months = [period]
    for _i in range(TREND_MONTHS):
        months.append(months[-1].previous())
    current, *before = selectors.kpi_tables(estate=estate, periods=months, prefix="fees.")
    rates = [
        {
            "metric": value.metric,
            "ratio": value.ratio,
            "pct": _pct(value.ratio),
            "num_link": value.metric.link(estate, period, "numerator"),
            "den_link": value.metric.link(estate, period, "denominator"),
        }
        for value in current.values
    ]
    trend = [
        {
            "period": table.period,
            "due": table["fees.collection_rate"].ratio.denominator,
            "paid": table["fees.collection_rate"].ratio.numerator,
            "pcts": [_pct(value.ratio) for value in table.values],
        }
        for table in before
    ]
    today = localtime.today(estate)
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
            "collection": current["fees.collection_rate"].ratio,
            "rates": rates,
            "computed_at": current.computed_at,
            "stored": current.stored,
            "freshness": selectors.rates_freshness(
                period=period, computed_at=current.computed_at, stored=current.stored
            ),
            "statement": fees_selectors.period_statement(estate=estate, period=period),
            "ageing": fees_selectors.arrears_ageing(estate=estate, today=today),
            "today": today,
            "trend": trend,
            "trend_labels": [value.metric.label for value in current.values],
            "due_bills_link": with_query(
                reverse("fees:bills"),
                estate=estate.code,
                due_from=period.start_date.isoformat(),
                due_to=period.end_date.isoformat(),
                voided="no",
            ),
        },
    )


@estate_page(perm.VIEW)
def statement_pdf(request, estate):
    """The estate's fee statement for a month, as the overview shows it, printable."""
    period, error = month_of(request, estate)
    if error:
        return render(request, "fees/error.html", {"error": error}, status=422)
    content = pdf.period_statement_pdf(estate=estate, period=period)
    return pdf_response(content, f"{estate.code}-{period.label}.pdf")
