"""The day-end sheet (日结单): a day's payments by method, the reversals apart, and the
payments behind the figures, to sign and hand in with the cash."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from estate.integrity import user_display_name
from fees.pdf.sheet import Sheet, local_text


def day_end_pdf(summary, *, printed_by: str) -> bytes:
    estate = summary.estate
    sheet = Sheet(A4, margin=15 * mm)
    with override("zh-hans"):
        sheet.canvas.setTitle(_("Day-end %(d)s") % {"d": summary.day})
        sheet.text(estate.name, 14, align="center")
        sheet.text(_("Day-end summary"), 18, align="center", gap=2)
        sheet.text(
            _("Day: %(d)s    Cashier: %(c)s")
            % {"d": summary.day, "c": summary.cashier_name or _("everyone")},
            10,
        )
        sheet.text(
            _("Printed at %(t)s by %(u)s")
            % {"t": local_text(timezone.now(), estate), "u": printed_by},
            9,
        )
        sheet.rule()
        rows = [
            [
                line.label,
                line.count,
                f"{line.amount:,.2f}",
                line.reversed_count,
                f"{line.reversed_amount:,.2f}",
                f"{line.net:,.2f}",
            ]
            for line in [*summary.lines, summary.total]
        ]
        rows[-1][0] = _("Total")
        sheet.table(
            [
                _("Method"),
                _("Payments taken"),
                _("Amount received"),
                _("Reversals"),
                _("Amount reversed"),
                _("Net"),
            ],
            rows,
            [0.2, 0.12, 0.2, 0.12, 0.18, 0.18],
            right=(1, 2, 3, 4, 5),
            size=10,
        )
        sheet.rule()
        sheet.text(_("Payments of the day"), 11, gap=1.8)
        sheet.table(
            [_("Receipt number"), _("Time"), _("Unit"), _("Method"), _("Amount"), _("Received by")],
            [
                [
                    p.number + (" " + _("(reversed)") if hasattr(p, "reversal") else ""),
                    local_text(p.received_at, estate)[11:],
                    p.unit.number,
                    p.get_method_display(),
                    f"{p.amount:,.2f}",
                    user_display_name(p.created_by) if p.created_by_id else p.created_by_name,
                ]
                for p in summary.payments
            ],
            [0.34, 0.09, 0.15, 0.13, 0.14, 0.15],
            right=(4,),
            size=8,
        )
        if summary.reversals:
            sheet.rule()
            sheet.text(_("Reversals of the day"), 11, gap=1.8)
            sheet.table(
                [_("Number"), _("Receipt number"), _("Method"), _("Amount"), _("Reason")],
                [
                    [
                        r.number,
                        r.payment.number,
                        r.payment.get_method_display(),
                        f"{r.payment.amount:,.2f}",
                        r.reason[:30],
                    ]
                    for r in summary.reversals
                ],
                [0.25, 0.25, 0.12, 0.13, 0.25],
                right=(3,),
                size=8,
            )
        sheet.y -= 12 * mm
        if sheet.y < sheet.margin + 10 * mm:
            sheet.page()
        sheet.pair(_("Cashier's signature: ____________"), _("Checked by: ____________"), 10)
        return sheet.finish()
