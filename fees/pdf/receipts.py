"""The receipt of a payment (收据), on A4 or 80 mm receipt-printer paper."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from fees.models import Allocation, Payment
from fees.pdf.sheet import Sheet, local_text, yuan
from fees.pdf.words import amount_in_words

RECEIPT_WIDTH = 80 * mm
SIZES = ("a4", "receipt")


def receipt_pdf(payment: Payment, *, size: str = "a4") -> bytes:
    """The receipt of one payment: number, unit, payer, method, the bills it paid, the amount
    in figures and in capital numerals, who received it; marked when reversed."""
    estate = payment.estate
    allocations = list(
        Allocation.objects.filter(payment_id=payment.pk, reversal__isnull=True)
        .order_by("bill__due_date", "bill_id")
        .values_list("bill__number", "bill__fee_item__name", "bill__period", "amount")
    )
    lines = len(allocations) + 1
    pagesize = A4 if size == "a4" else (RECEIPT_WIDTH, (120 + 6 * lines) * mm)
    # Uncompressed: a receipt is a few kilobytes, and Flate + ASCII85 cost more than they save.
    sheet = Sheet(pagesize, margin=15 * mm if size == "a4" else 4 * mm, compress=False)
    small = size != "a4"
    with override("zh-hans"):
        sheet.canvas.setTitle(_("Receipt %(n)s") % {"n": payment.number})
        sheet.text(estate.name, 12 if small else 16, align="center")
        sheet.text(_("Payment receipt"), 14 if small else 20, align="center", gap=2)
        sheet.text(_("Receipt number: %(n)s") % {"n": payment.number}, 8 if small else 10)
        sheet.text(
            _("Date: %(d)s") % {"d": local_text(payment.received_at, estate)}, 8 if small else 10
        )
        sheet.text(_("Unit: %(u)s") % {"u": payment.unit.number}, 8 if small else 10)
        sheet.text(_("Payer: %(p)s") % {"p": payment.payer or "—"}, 8 if small else 10)
        sheet.text(
            _("Payment method: %(m)s") % {"m": payment.get_method_display()}, 8 if small else 10
        )
        if payment.reference:
            sheet.text(_("Reference: %(r)s") % {"r": payment.reference}, 8 if small else 10)
        sheet.rule()
        rows, allocated = [], Decimal("0.00")
        for number, name, period, amount in allocations:
            allocated += amount
            rows.append(
                [name, period, f"{amount:,.2f}"]
                if small
                else [number, name, period, f"{amount:,.2f}"]
            )
        if payment.amount > allocated:
            rest = f"{payment.amount - allocated:,.2f}"
            rows.append(
                [_("Prepaid credit"), "", rest] if small else ["", _("Prepaid credit"), "", rest]
            )
        if small:
            sheet.table(
                [_("Fee item"), _("Period"), _("Amount")],
                rows,
                [0.45, 0.25, 0.30],
                right=(2,),
                size=7,
            )
        else:
            sheet.table(
                [_("Bill number"), _("Fee item"), _("Period"), _("Amount")],
                rows,
                [0.42, 0.23, 0.15, 0.20],
                right=(3,),
            )
        sheet.rule()
        sheet.pair(_("Total"), yuan(payment.amount), 9 if small else 12)
        sheet.text(
            _("Amount in words (RMB): %(w)s") % {"w": amount_in_words(payment.amount)},
            8 if small else 11,
            gap=2,
        )
        sheet.text(
            _("Received by: %(s)s")
            % {"s": payment.created_by.get_full_name() or payment.created_by.get_username()},
            8 if small else 10,
        )
        if estate.service_phone:
            sheet.text(_("Service phone: %(p)s") % {"p": estate.service_phone}, 8 if small else 10)
        if hasattr(payment, "reversal"):
            sheet.text(
                _("REVERSED %(n)s: %(r)s")
                % {"n": payment.reversal.number, "r": payment.reversal.reason},
                10 if small else 14,
            )
        return sheet.finish()
