"""Day-end (日结): an estate's or one cashier's takings of a day by payment method, the
reversals apart, with the payments behind the figures; printable (PDF) and exportable."""

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext as _

from estate import localtime, scoping
from estate.integrity import user_display_name
from estate.pages import estate_page, pdf_response, query_without
from fees import exports, pdf, selectors
from fees import permissions as perm
from fees.forms import DayEndForm


def _summary(request, estate, *, with_lists: bool = True):
    """The form (bound to the query) and the summary of its day and cashier; an invalid
    choice shows its error beside the field and today's whole estate."""
    today = localtime.today(estate)
    day_asked = DayEndForm(request.GET, today=today)
    day_asked.is_valid()
    day = day_asked.cleaned_data.get("day") or today
    cashiers = selectors.day_cashiers(estate=estate, day=day)
    me = (request.user.pk, user_display_name(request.user))
    if scoping.can(request.user, estate, perm.PAYMENT_RECORD) and me[0] not in dict(cashiers):
        cashiers.append(me)
    form = DayEndForm(request.GET, today=today, cashiers=cashiers)
    cashier = None
    if form.is_valid() and form.cleaned_data["cashier"] is not None:
        cashier = get_user_model().objects.get(pk=form.cleaned_data["cashier"])
    summary = selectors.day_end(estate=estate, day=day, cashier=cashier, with_lists=with_lists)
    return form, summary


@estate_page(perm.VIEW)
def day_end(request, estate):
    """Queries: estate + roles (2, the decorator), the cashiers of the day (1), a cashier's
    user when one is chosen, the two aggregates and the two lists (4)."""
    form, summary = _summary(request, estate)
    return render(
        request,
        "fees/day_end.html",
        {"estate": estate, "form": form, "summary": summary, "query": query_without(request)},
    )


@estate_page(perm.VIEW)
def day_end_pdf(request, estate):
    _form, summary = _summary(request, estate)
    content = pdf.day_end_pdf(summary, printed_by=user_display_name(request.user))
    return pdf_response(content, f"{estate.code}-day-end-{summary.day}.pdf")


def _rows(summary) -> list[list]:
    rows = [
        [
            line.label,
            line.count,
            line.amount,
            line.reversed_count,
            line.reversed_amount,
            line.net,
        ]
        for line in summary.lines
    ]
    total = summary.total
    rows.append(
        [
            _("Total"),
            total.count,
            total.amount,
            total.reversed_count,
            total.reversed_amount,
            total.net,
        ]
    )
    return rows


def _header() -> list[str]:
    return [
        _("Method"),
        _("Payments taken"),
        _("Amount received"),
        _("Reversals"),
        _("Amount reversed"),
        _("Net"),
    ]


def _payment_rows(summary):
    tz = summary.estate.tz
    for p in summary.payments:
        yield [
            p.number,
            localtime.naive_local(p.received_at, tz),
            p.unit.number,
            p.get_method_display(),
            p.amount,
            user_display_name(p.created_by) if p.created_by_id else p.created_by_name,
            p.reversal.number if hasattr(p, "reversal") else "",
        ]


def _reversal_rows(summary):
    tz = summary.estate.tz
    for r in summary.reversals:
        yield [
            r.number,
            localtime.naive_local(r.created_at, tz),
            r.payment.number,
            r.payment.unit.number,
            r.payment.get_method_display(),
            r.payment.amount,
            r.reason,
        ]


@estate_page(perm.VIEW)
def day_end_csv(request, estate):
    """The summary by method and its total (the lists are in the XLSX)."""
    _form, summary = _summary(request, estate, with_lists=False)
    stem = f"{estate.code}-day-end-{summary.day}"
    return exports.csv_response(_header(), _rows(summary), f"{stem}.csv")


@estate_page(perm.VIEW)
def day_end_xlsx(request, estate):
    """Three sheets: the summary by method, the payments, the reversals."""
    _form, summary = _summary(request, estate)
    stem = f"{estate.code}-day-end-{summary.day}"
    return exports.xlsx_workbook(
        [
            (_("Day-end summary"), _header(), _rows(summary)),
            (
                _("Payments"),
                [
                    _("Receipt number"),
                    _("Received at"),
                    _("Unit"),
                    _("Method"),
                    _("Amount"),
                    _("Received by"),
                    _("Reversed by"),
                ],
                _payment_rows(summary),
            ),
            (
                _("Reversals"),
                [
                    _("Number"),
                    _("Reversed at"),
                    _("Receipt number"),
                    _("Unit"),
                    _("Method"),
                    _("Amount"),
                    _("Reason"),
                ],
                _reversal_rows(summary),
            ),
        ],
        f"{stem}.xlsx",
        widths={0: 24},
    )
