"""An estate's fee statement for a month."""

from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4

from estate import selectors as estate_selectors
from estate.kpi import Period
from estate.models import Estate
from fees import selectors
from fees.pdf.sheet import Sheet, local_text, yuan


def period_statement_pdf(*, estate: Estate, period: Period) -> bytes:
    """An estate's month: billed, paid and owed per fee item, money received, arrears ageing
    and the three fee rates, read from the stored snapshot as the overview and the rates page
    show them, with the moment they were computed."""
    statement = selectors.period_statement(estate=estate, period=period)
    ageing = selectors.arrears_ageing(estate=estate, today=period.today)
    rates = estate_selectors.kpi_table(estate=estate, period=period, prefix="fees.")
    sheet = Sheet(A4)
    with override("zh-hans"):
        sheet.canvas.setTitle(
            _("Fee statement %(e)s %(p)s") % {"e": estate.name, "p": period.label}
        )
        sheet.text(estate.name, 16, align="center")
        sheet.text(_("Fee statement for %(p)s") % {"p": period.label}, 18, align="center", gap=2)
        sheet.text(
            _("Bills due in the period, not voided; printed %(d)s")
            % {"d": local_text(period.now, estate)},
            9,
            gap=2,
        )
        rows = [
            [
                r["fee_item__name"],
                f"{r['bills']}",
                f"{r['billed']:,.2f}",
                f"{r['paid']:,.2f}",
                f"{r['outstanding']:,.2f}",
                f"{r['voided']}",
            ]
            for r in statement["rows"]
        ]
        t = statement["totals"]
        rows.append(
            [
                _("Total"),
                f"{t['bills']}",
                f"{t['billed']:,.2f}",
                f"{t['paid']:,.2f}",
                f"{t['outstanding']:,.2f}",
                f"{t['voided']}",
            ]
        )
        sheet.table(
            [_("Fee item"), _("Bills"), _("Billed"), _("Paid"), _("Owed"), _("Voided")],
            rows,
            [0.25, 0.1, 0.18, 0.18, 0.18, 0.11],
            right=(1, 2, 3, 4, 5),
        )
        sheet.rule()
        received = statement["received"]
        sheet.pair(
            _("Received in the period (%(n)d payments)") % {"n": received["count"]},
            yuan(received["total"]),
        )
        sheet.pair(_("Reversed"), yuan(received["reversed_total"]))
        sheet.rule()
        sheet.text(_("Arrears by days past due"), 12, gap=1.8)
        sheet.table(
            [_("0-30 days"), _("31-90 days"), _("91-180 days"), _("Over 180 days"), _("Total")],
            [[f"{ageing[k]:,.2f}" for k in ("d0_30", "d31_90", "d91_180", "over_180", "total")]],
            [0.2] * 5,
            right=(0, 1, 2, 3, 4),
        )
        sheet.rule()
        sheet.text(_("Rates"), 12, gap=1.8)
        labels = {
            "fees.collection_rate": _("Collection rate"),
            "fees.timely_rate": _("Timely payment rate"),
            "fees.accuracy_rate": _("Billing accuracy rate"),
            "fees.arrears_recovery_rate": _("Arrears recovery rate"),
        }
        sheet.table(
            [_("Rate"), _("Numerator"), _("Denominator"), _("Value")],
            [
                [
                    labels.get(value.metric.key, value.metric.label),
                    value.metric.fmt(value.ratio.numerator),
                    value.metric.fmt(value.ratio.denominator),
                    f"{value.ratio.rate if value.ratio.rate is not None else '—'}",
                ]
                for value in rates.values
            ],
            [0.4, 0.2, 0.2, 0.2],
            right=(1, 2, 3),
        )
        sheet.text(
            _("Rates computed at %(d)s") % {"d": local_text(rates.computed_at, estate)},
            9,
            gap=1.5,
        )
        return sheet.finish()
