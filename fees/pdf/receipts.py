"""The receipt of a payment (收据), laid out as a Chinese receipt form.

A4: the copies (联次, e.g. 存根联 / 收据联 / 记账联, set per estate in FinanceSettings) one
below the other, with a cut line between them, as many on a page as fit (three for a
payment of a few bills). Each copy: the company and the estate, 收据 and the receipt number,
date, unit, 交款人, payment method and reference, a ruled table of the lines (item, period,
bill, amount), 合计 in capital numerals and in figures, the cashier, the seal and the
payer's signature areas, and the copy's name. The copy is drawn once, as a PDF form that
each copy places, so three copies cost little more than one (a receipt takes ~12 ms on the
development machine, the benchmark's target is 15 ms).

80 mm receipt-printer paper: one copy, the payer's (the second configured copy, 收据联 by
default), the same fields one under the other.

Every text is drawn into a box of its own and shrunk (then cut with …) to fit it, so no two
texts overlap whatever the names and amounts; tests/fees/test_receipt_layout.py checks it."""

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from estate.integrity import user_display_name
from fees.models import Allocation, FinanceSettings, Payment
from fees.pdf.sheet import _font, local_text
from fees.pdf.words import amount_in_words

RECEIPT_WIDTH = 80 * mm
SIZES = ("a4", "receipt")
MAX_LINES = 8  # more bills than this are summed per fee item, with the range of periods
RED = Color(0.75, 0.05, 0.05)
GREY = Color(0.45, 0.45, 0.45)
MIN_SIZE = 5.0


@dataclass
class Line:
    item: str
    period: str
    bill: str
    amount: Decimal


@dataclass
class Receipt:
    """What every copy of the receipt shows, in the receipt's words (Chinese)."""

    company: str
    estate: str
    number: str
    date: str
    unit: str
    payer: str
    method: str
    reference: str
    lines: list[Line]
    total: Decimal
    words: str
    cashier: str
    phone: str
    reversed_text: str
    copies: list[str]


def _lines(payment: Payment, rows: list[tuple]) -> list[Line]:
    """The receipt's lines from the payment's live allocations (bill number, fee item name,
    period, amount; by due date), summed per fee item beyond MAX_LINES."""
    lines = [Line(name, period, number, amount) for number, name, period, amount in rows]
    if len(lines) > MAX_LINES:
        grouped: dict[str, list[Line]] = {}
        for line in lines:
            grouped.setdefault(line.item, []).append(line)
        lines = []
        for item, group in grouped.items():
            periods = sorted(g.period for g in group)
            span = periods[0] if periods[0] == periods[-1] else f"{periods[0]}—{periods[-1]}"
            lines.append(
                Line(
                    item,
                    span,
                    _("%(n)s bills") % {"n": len(group)},
                    sum((g.amount for g in group), Decimal("0.00")),
                )
            )
    allocated = sum((line.amount for line in lines), Decimal("0.00"))
    if payment.amount > allocated:
        lines.append(Line(_("Prepaid credit"), "", "", payment.amount - allocated))
    return lines


_LINE_COLUMNS = ("bill__number", "bill__fee_item__name", "bill__period", "amount")


def _allocation_rows(payment_ids) -> dict[int, list[tuple]]:
    """The live allocations of many payments in one query, per payment, by due date."""
    rows: dict[int, list[tuple]] = {}
    for payment_id, *row in (
        Allocation.objects.filter(payment_id__in=payment_ids, reversal__isnull=True)
        .order_by("payment_id", "bill__due_date", "bill_id")
        .values_list("payment_id", *_LINE_COLUMNS)
    ):
        rows.setdefault(payment_id, []).append(tuple(row))
    return rows


def _cashier(payment: Payment) -> str:
    if payment.created_by_id is None:
        return payment.created_by_name
    return user_display_name(payment.created_by)


def _receipt(payment: Payment, setup: FinanceSettings, rows: list[tuple]) -> Receipt:
    estate = payment.estate
    reversed_text = ""
    if hasattr(payment, "reversal"):
        reversed_text = _("REVERSED %(n)s: %(r)s") % {
            "n": payment.reversal.number,
            "r": payment.reversal.reason,
        }
    return Receipt(
        company=setup.company,
        estate=estate.name,
        number=payment.number,
        date=local_text(payment.received_at, estate),
        unit=payment.unit.number,
        payer=payment.payer or "—",
        method=str(payment.get_method_display()),
        reference=payment.reference,
        lines=_lines(payment, rows),
        total=payment.amount,
        words=amount_in_words(payment.amount),
        cashier=_cashier(payment) or "—",
        phone=estate.service_phone,
        reversed_text=reversed_text,
        copies=setup.copies or [""],
    )


def receipts_for(payment_ids) -> list[tuple[Payment, Receipt]]:
    """What the receipts of many payments show, in three queries whatever their number (the
    payments with their estate, unit, cashier and reversal; the estates' finance settings;
    the allocations), in the order of ``payment_ids`` (unknown ids are left out). Call inside
    override("zh-hans")."""
    ids = list(payment_ids)
    payments = Payment.objects.select_related("estate", "unit", "created_by", "reversal").in_bulk(
        ids
    )
    if not payments:
        return []
    estates = {p.estate_id: p.estate for p in payments.values()}
    setups = {s.estate_id: s for s in FinanceSettings.objects.filter(estate_id__in=estates)}
    rows = _allocation_rows(list(payments))
    found = []
    for payment_id in ids:
        payment = payments.get(payment_id)
        if payment is None:
            continue
        setup = setups.get(payment.estate_id) or FinanceSettings(estate=estates[payment.estate_id])
        found.append((payment, _receipt(payment, setup, rows.get(payment_id, []))))
    return found


class _Pen:
    """Text into boxes: each string is shrunk to its box's width (down to MIN_SIZE), then cut
    with an ellipsis, so it never runs into its neighbour."""

    def __init__(self, c: canvas.Canvas, font: str):
        self.c, self.font = c, font

    def fit(self, text: str, width: float, size: float) -> tuple[str, float]:
        measure = stringWidth(text, self.font, size)
        if measure <= width:
            return text, size
        size = max(MIN_SIZE, size * width / measure * 0.98)
        while text and stringWidth(text, self.font, size) > width:
            text = text[:-2] + "…" if len(text) > 1 else ""
        return text, size

    def box(self, text, x, y, width, size, align="left", color=black):
        text, size = self.fit(str(text), width, size)
        c = self.c
        if color is not black:  # the page's colour is black between boxes
            c.setFillColor(color)
        c.setFont(self.font, size)
        if align == "center":
            c.drawCentredString(x + width / 2, y, text)
        elif align == "right":
            c.drawRightString(x + width, y, text)
        else:
            c.drawString(x, y, text)
        if color is not black:
            c.setFillColor(black)


# A4 --------------------------------------------------------------------------------------

A4_MARGIN_X = 12 * mm
A4_MARGIN_Y = 10 * mm
ROW = 6 * mm
CUT_GAP = 6 * mm
FIXED_HEIGHT = 62 * mm  # everything of a copy but its table lines


def _copy_height(receipt: Receipt) -> float:
    return FIXED_HEIGHT + ROW * len(receipt.lines) + (ROW if receipt.reversed_text else 0)


def _draw_copy(pen: _Pen, r: Receipt, top: float, width: float) -> None:
    """Everything of a copy but its name (drawn once, as a form every copy reuses)."""
    c, x0 = pen.c, A4_MARGIN_X
    y = top - 4 * mm
    pen.box(r.company or r.estate, x0, y, width, 10, align="center")
    y -= 8 * mm
    third = width / 3
    pen.box(_("RECEIPT"), x0 + third, y, third, 17, align="center")
    c.setLineWidth(0.6)
    c.line(x0 + width / 2 - 16 * mm, y - 1.8 * mm, x0 + width / 2 + 16 * mm, y - 1.8 * mm)
    c.line(x0 + width / 2 - 16 * mm, y - 2.5 * mm, x0 + width / 2 + 16 * mm, y - 2.5 * mm)
    pen.box(_("No. %(n)s") % {"n": r.number}, x0 + 2 * third, y, third, 10, "right", RED)
    if r.company:
        pen.box(_("Estate: %(e)s") % {"e": r.estate}, x0, y, third - 2 * mm, 9)
    y -= 7 * mm
    cols = [0.34, 0.33, 0.33]
    first = [
        _("Unit: %(u)s") % {"u": r.unit},
        _("Payer: %(p)s") % {"p": r.payer},
        _("Date: %(d)s") % {"d": r.date},
    ]
    second = [
        _("Payment method: %(m)s") % {"m": r.method},
        _("Reference: %(r)s") % {"r": r.reference} if r.reference else "",
        "",
    ]
    for row in (first, second):
        x = x0
        for i, (fraction, text) in enumerate(zip(cols, row, strict=True)):
            span = fraction * width
            pen.box(text, x, y, span - 2 * mm, 9, "right" if i == 2 else "left")
            x += span
        y -= 5.5 * mm
    # The table: a ruled grid; the 合计 row spans the first three columns.
    widths = [0.28, 0.2, 0.34, 0.18]
    xs = [x0]
    for fraction in widths:
        xs.append(xs[-1] + fraction * width)
    table_top = y + 3 * mm
    rows = [[_("Fee item"), _("Period"), _("Bill number"), _("Amount (yuan)")]]
    rows += [[ln.item, ln.period, ln.bill, f"{ln.amount:,.2f}"] for ln in r.lines]
    line_y = table_top
    c.setLineWidth(0.5)
    c.line(xs[0], table_top, xs[-1], table_top)
    for index, row in enumerate(rows):
        base = line_y - ROW + 1.8 * mm
        for col, text in enumerate(row):
            align = "right" if col == 3 else ("center" if index == 0 else "left")
            pen.box(text, xs[col] + 1.5 * mm, base, xs[col + 1] - xs[col] - 3 * mm, 9, align)
        line_y -= ROW
        c.line(xs[0], line_y, xs[-1], line_y)
    total_h = 7 * mm
    base = line_y - total_h + 2.2 * mm
    pen.box(
        _("Total in words: RMB %(w)s") % {"w": r.words},
        xs[0] + 1.5 * mm,
        base,
        xs[3] - xs[0] - 3 * mm,
        10,
    )
    pen.box(f"¥{r.total:,.2f}", xs[3] + 1.5 * mm, base, xs[4] - xs[3] - 3 * mm, 11, "right")
    line_y -= total_h
    c.line(xs[0], line_y, xs[-1], line_y)
    for x in (xs[0], xs[-1]):
        c.line(x, table_top, x, line_y)
    for x in xs[1:-1]:
        c.line(x, table_top, x, line_y + total_h)
    c.line(xs[3], line_y + total_h, xs[3], line_y)
    y = line_y - 5 * mm
    if r.reversed_text:
        pen.box(r.reversed_text, x0, y, width, 11, color=RED)
        y -= ROW
    # Seal (盖章), cashier, payer's signature: three areas side by side.
    label_y = y - 1 * mm
    pen.box(_("Issued by (seal):"), x0, label_y, third * 0.5, 9)
    c.setDash(2, 2)
    c.setStrokeColor(GREY)
    c.circle(x0 + third * 0.5 + 10 * mm, label_y - 3.5 * mm, 8 * mm)
    c.setDash()
    c.setStrokeColor(black)
    pen.box(_("Cashier: %(c)s") % {"c": r.cashier}, x0 + third + 2 * mm, label_y, third - 4 * mm, 9)
    pen.box(_("Payer's signature:"), x0 + 2 * third + 2 * mm, label_y, third * 0.5, 9)
    c.line(x0 + 2 * third + 2 * mm + third * 0.5, label_y - 1, x0 + width, label_y - 1)
    foot = top - _copy_height(r) + 2 * mm
    if r.phone:
        pen.box(_("Service phone: %(p)s") % {"p": r.phone}, x0, foot, width / 2, 8, color=GREY)


def _draw_copy_name(pen: _Pen, r: Receipt, copy_index: int, top: float, width: float) -> None:
    name = r.copies[copy_index]
    label = _("Copy %(i)s: %(n)s") % {"i": _ordinal(copy_index + 1), "n": name} if name else ""
    foot = top - _copy_height(r) + 2 * mm
    pen.box(label, A4_MARGIN_X + width / 2, foot, width / 2, 9, "right")


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else str(n)


def _a4(r: Receipt, c: canvas.Canvas, pen: _Pen) -> None:
    page_w, page_h = A4
    width = page_w - 2 * A4_MARGIN_X
    height = _copy_height(r)
    first = top = page_h - A4_MARGIN_Y
    # The copy is drawn once into a form (PDF XObject) that each copy places: a third of the
    # drawing and of the file.
    c.beginForm("copy")
    _draw_copy(pen, r, first, width)
    c.endForm()
    for index in range(len(r.copies)):
        if top - height < A4_MARGIN_Y and top < first:
            c.showPage()
            top = first
        c.saveState()
        c.translate(0, top - first)
        c.doForm("copy")
        c.restoreState()
        _draw_copy_name(pen, r, index, top, width)
        top -= height
        if index + 1 < len(r.copies) and top - CUT_GAP - height >= A4_MARGIN_Y:
            c.setDash(4, 3)
            c.setStrokeColor(GREY)
            c.line(6 * mm, top - CUT_GAP / 2, page_w - 6 * mm, top - CUT_GAP / 2)
            c.setDash()
            c.setStrokeColor(black)
        top -= CUT_GAP


# 80 mm -----------------------------------------------------------------------------------


def _small_copy(r: Receipt) -> str:
    """The payer's copy: the second configured one (收据联 by default), else the only one."""
    return r.copies[1] if len(r.copies) > 1 else r.copies[0]


def _small(r: Receipt, c: canvas.Canvas, pen: _Pen, height: float) -> None:
    margin = 4 * mm
    width = RECEIPT_WIDTH - 2 * margin
    y = height - margin

    def text(value, size=8, align="left", color=black, gap=1.5):
        nonlocal y
        y -= size
        pen.box(value, margin, y, width, size, align, color)
        y -= size * (gap - 1)

    def pair(left, right, size=8):
        nonlocal y
        y -= size * 1.5
        pen.box(left, margin, y, width * 0.6 - 1 * mm, size)
        pen.box(right, margin + width * 0.6, y, width * 0.4, size, "right")

    def rule():
        nonlocal y
        y -= 2 * mm
        c.line(margin, y, margin + width, y)
        y -= 1 * mm

    if r.company:
        text(r.company, 9, "center")
    text(r.estate, 9, "center")
    text(_("RECEIPT"), 14, "center", gap=1.8)
    text(_("No. %(n)s") % {"n": r.number}, 8, color=RED)
    text(_("Date: %(d)s") % {"d": r.date})
    text(_("Unit: %(u)s") % {"u": r.unit})
    text(_("Payer: %(p)s") % {"p": r.payer})
    text(_("Payment method: %(m)s") % {"m": r.method})
    if r.reference:
        text(_("Reference: %(r)s") % {"r": r.reference})
    rule()
    for line in r.lines:
        pair(f"{line.item} {line.period}".strip(), f"{line.amount:,.2f}", 7.5)
    rule()
    pair(_("Total"), f"¥{r.total:,.2f}", 10)
    y -= 1 * mm
    text(_("In words: RMB %(w)s") % {"w": r.words}, 8)
    text(_("Cashier: %(c)s") % {"c": r.cashier})
    if r.phone:
        text(_("Service phone: %(p)s") % {"p": r.phone})
    if r.reversed_text:
        text(r.reversed_text, 9, color=RED)
    text(_("Payer's signature:"), 8, gap=3)
    name = _small_copy(r)
    if name:
        text(name, 8, "right", GREY)


def receipt_pdf(payment: Payment, *, size: str = "a4") -> bytes:
    """The receipt of one payment; marked when reversed. Chinese whatever the UI language."""
    with override("zh-hans"):
        rows = _allocation_rows([payment.pk]).get(payment.pk, [])
        return _render(_receipt(payment, FinanceSettings.of(payment.estate), rows), size)


def receipt_pdfs(payment_ids, *, size: str = "a4") -> dict[int, bytes]:
    """The receipts of many payments (a printing run), each a standalone PDF with the font
    embedded as its own subset, by payment id in the order given: the same documents as
    receipt_pdf's, read in a fixed number of queries (receipts_for) rather than two or
    three per receipt."""
    with override("zh-hans"):
        return {payment.pk: _render(r, size) for payment, r in receipts_for(payment_ids)}


def _render(r: Receipt, size: str) -> bytes:
    """One receipt as a standalone PDF (call inside override("zh-hans"))."""
    buffer = BytesIO()
    font = _font()
    pagesize = A4 if size == "a4" else (RECEIPT_WIDTH, (100 + 5 * len(r.lines)) * mm)
    # Uncompressed: a receipt is a few kilobytes, and Flate + ASCII85 cost more than they
    # save. The canvas starts in our font, so no page names Helvetica (not embedded).
    c = canvas.Canvas(buffer, pagesize=pagesize, pageCompression=0, initialFontName=font)
    c.setTitle(_("Receipt %(n)s") % {"n": r.number})
    pen = _Pen(c, font)
    if size == "a4":
        _a4(r, c, pen)
    else:
        _small(r, c, pen, pagesize[1])
    c.showPage()
    c.save()
    return buffer.getvalue()
