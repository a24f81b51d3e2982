"""Fee documents (reportlab, drawn on a canvas so a thousand receipts take seconds): the
receipt of a payment (收据), the arrears notice of a unit (催缴通知单) alone or for a whole
estate, and an estate's period statement. A4, and 80 mm receipt-printer paper for receipts.

Labels are English msgids rendered in Chinese (the documents are Chinese business papers
whatever the UI language); the font is reportlab's STSong-Light CID font."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import CIDFontInfo, UnicodeCIDFont, structToPDF
from reportlab.pdfgen import canvas

from estate.kpi import Period
from estate.models import Estate, Unit
from fees import selectors
from fees.models import Allocation, Bill, Payment

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ["", "万", "亿", "万亿"]
RECEIPT_WIDTH = 80 * mm
SIZES = ("a4", "receipt")
NOTICE_DAYS = 15


FONT = "FeesSTSong"


class _Preformatted(pdfdoc.PDFObject):
    """A PDF object whose bytes were formatted once, reused by every document."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


class _CachedCIDFont(UnicodeCIDFont):
    """reportlab's STSong-Light CID font, whose font dictionary (a widths array of some
    thousand numbers, the same in every document) is formatted once per process instead of
    once per document: formatting it was half the time of a small receipt."""

    _formatted: dict[tuple[str, str, str], bytes] = {}

    def addObjects(self, doc):
        internal = f"F{len(doc.fontMapping) + 1}"
        key = (self.face.name, self.encodingName, internal)
        data = self._formatted.get(key)
        if data is None:
            spec = {**CIDFontInfo[self.face.name], "Name": f"/{internal}"}
            spec["Encoding"] = f"/{self.encodingName}"
            data = self._formatted[key] = structToPDF(spec).format(doc)
        doc.idToObject["BasicFonts"].dict[internal] = doc.Reference(_Preformatted(data), internal)
        doc.fontMapping[self.name] = f"/{internal}"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        font = _CachedCIDFont("STSong-Light")
        font.name = font.fontName = FONT
        pdfmetrics.registerFont(font)
    return FONT


def amount_in_words(amount: Decimal) -> str:
    """人民币大写: 1234.56 -> 壹仟贰佰叁拾肆元伍角陆分; 100 -> 壹佰元整; 10.05 -> 壹拾元零伍分."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    out = f"{_integer_words(yuan)}元" if yuan else ""
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan and fen:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    else:
        out += "整"
    return sign + out


def _group_words(group: int) -> str:
    """1..9999, inner zeros read as one 零."""
    out, zero = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = group // place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + unit
    return out


def _integer_words(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _group_words(group) + GROUP_UNITS[index]
        gap = False
    return out


def _yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


class _Sheet:
    """A canvas with a cursor moving down the page, a font and simple tables."""

    def __init__(self, pagesize, margin=15 * mm, *, compress: bool = True):
        self.buffer = BytesIO()
        self.pagesize = pagesize
        self.canvas = canvas.Canvas(self.buffer, pagesize=pagesize, pageCompression=int(compress))
        self.font = _font()
        self.margin = margin
        self.width = pagesize[0] - 2 * margin
        self.top()

    def top(self):
        self.y = self.pagesize[1] - self.margin

    def text(self, text: str, size: float = 10, *, align="left", gap=1.5, x=None):
        c = self.canvas
        c.setFont(self.font, size)
        self.y -= size
        if align == "center":
            c.drawCentredString(self.margin + self.width / 2, self.y, text)
        elif align == "right":
            c.drawRightString(self.margin + self.width, self.y, text)
        else:
            c.drawString(self.margin + (x or 0), self.y, text)
        self.y -= size * (gap - 1)

    def pair(self, left: str, right: str, size: float = 10):
        self.canvas.setFont(self.font, size)
        self.y -= size * 1.5
        self.canvas.drawString(self.margin, self.y, left)
        self.canvas.drawRightString(self.margin + self.width, self.y, right)

    def rule(self, gap: float = 3):
        self.y -= gap
        self.canvas.line(self.margin, self.y, self.margin + self.width, self.y)
        self.y -= gap

    def table(self, headers: list, rows: list[list], widths: list[float], right=(), size=9):
        """Columns sized by fractions of the width; the ``right`` columns (numbers) are
        right-aligned."""
        xs, x = [], self.margin
        for fraction in widths:
            xs.append((x, fraction * self.width))
            x += fraction * self.width
        self.canvas.setFont(self.font, size)
        for i, line in enumerate([headers, *rows]):
            if self.y < self.margin + 3 * size:
                self.page()
                self.canvas.setFont(self.font, size)
            self.y -= size * 1.6
            for col, ((left, span), cell) in enumerate(zip(xs, line, strict=True)):
                if col in right:
                    self.canvas.drawRightString(left + span - 2, self.y, str(cell))
                else:
                    self.canvas.drawString(left + 2, self.y, str(cell))
            if i == 0:
                self.canvas.line(self.margin, self.y - 3, self.margin + self.width, self.y - 3)

    def page(self):
        self.canvas.showPage()
        self.top()

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _local(moment: dt.datetime, estate: Estate) -> str:
    return timezone.localtime(moment, estate.tz).strftime("%Y-%m-%d %H:%M")


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
    sheet = _Sheet(pagesize, margin=15 * mm if size == "a4" else 4 * mm, compress=False)
    small = size != "a4"
    with override("zh-hans"):
        sheet.canvas.setTitle(_("Receipt %(n)s") % {"n": payment.number})
        sheet.text(estate.name, 12 if small else 16, align="center")
        sheet.text(_("Payment receipt"), 14 if small else 20, align="center", gap=2)
        sheet.text(_("Receipt number: %(n)s") % {"n": payment.number}, 8 if small else 10)
        sheet.text(
            _("Date: %(d)s") % {"d": _local(payment.received_at, estate)}, 8 if small else 10
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
        sheet.pair(_("Total"), _yuan(payment.amount), 9 if small else 12)
        sheet.text(
            _("Amount in words (RMB): %(w)s") % {"w": amount_in_words(payment.amount)},
            8 if small else 11,
            gap=2,
        )
        sheet.text(
            _("Received by: %(s)s")
            % {
                "s": (
                    payment.created_by.get_full_name() or payment.created_by.get_username()
                    if payment.created_by_id
                    else payment.created_by_name
                )
            },
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


def _notice_page(sheet: _Sheet, unit: Unit, bills: list[Bill], today: dt.date, name: str):
    estate = unit.estate
    sheet.text(estate.name, 16, align="center")
    sheet.text(_("Notice of arrears"), 20, align="center", gap=2)
    sheet.text(_("Dear owner of unit %(u)s %(n)s,") % {"u": unit.number, "n": name}, 11, gap=2)
    sheet.text(
        _(
            "By %(d)s the following fees of your unit are overdue. Please pay them within %(k)d days."
        )
        % {"d": today.isoformat(), "k": NOTICE_DAYS},
        10,
        gap=2,
    )
    rows, owed, fees = [], Decimal("0.00"), Decimal("0.00")
    for bill in bills:
        outstanding = bill.amount_due - bill.amount_paid
        fee = selectors.late_fee(bill, today=today)
        owed += outstanding
        fees += fee
        rows.append(
            [
                bill.fee_item.name,
                bill.period,
                bill.due_date.isoformat(),
                f"{(today - bill.due_date).days}",
                f"{bill.amount_due:,.2f}",
                f"{outstanding:,.2f}",
                f"{fee:,.2f}",
            ]
        )
    sheet.table(
        [
            _("Fee item"),
            _("Period"),
            _("Due date"),
            _("Days overdue"),
            _("Amount due"),
            _("Owed"),
            _("Late fee"),
        ],
        rows,
        [0.2, 0.1, 0.14, 0.12, 0.15, 0.15, 0.14],
        right=(3, 4, 5, 6),
    )
    sheet.rule()
    sheet.pair(_("Total owed"), _yuan(owed), 12)
    sheet.text(_("Amount in words (RMB): %(w)s") % {"w": amount_in_words(owed)}, 11)
    if fees:
        sheet.pair(_("Late fees under the item rules"), _yuan(fees), 10)
    sheet.y -= 20
    if estate.service_phone:
        sheet.text(_("Service phone: %(p)s") % {"p": estate.service_phone}, 10)
    sheet.text(_("%(e)s property service centre") % {"e": estate.name}, 10, align="right")
    sheet.text(today.isoformat(), 10, align="right")


def _primary_names(unit_ids: list[int]) -> dict[int, str]:
    from residents.models import Occupancy

    return dict(
        Occupancy.objects.filter(
            unit_id__in=unit_ids, is_primary=True, ended_on__isnull=True
        ).values_list("unit_id", "resident__name")
    )


def arrears_notices_pdf(
    *, estate: Estate, today: dt.date, units: list[Unit] | None = None
) -> bytes:
    """Arrears notices, one page per unit in arrears (or per unit given), in one PDF for
    batch printing; a fixed number of queries whatever the number of units."""
    qs = selectors.overdue_bills(estate=estate, today=today).select_related("fee_item", "unit")
    if units is not None:
        qs = qs.filter(unit__in=units)
    by_unit: dict[int, list[Bill]] = defaultdict(list)
    for bill in qs.order_by("unit__number", "due_date", "id"):
        bill.unit.estate = estate
        by_unit[bill.unit_id].append(bill)
    names = _primary_names(list(by_unit))
    sheet = _Sheet(A4)
    with override("zh-hans"):
        sheet.canvas.setTitle(_("Notices of arrears, %(e)s") % {"e": estate.name})
        if not by_unit:
            sheet.text(_("No unit is in arrears."), 12)
        for i, (unit_id, bills) in enumerate(by_unit.items()):
            if i:
                sheet.page()
            _notice_page(sheet, bills[0].unit, bills, today, names.get(unit_id, ""))
        return sheet.finish()


def arrears_notice_pdf(*, unit: Unit, today: dt.date) -> bytes:
    """The arrears notice of one unit."""
    return arrears_notices_pdf(estate=unit.estate, today=today, units=[unit])


def period_statement_pdf(*, estate: Estate, period: Period) -> bytes:
    """An estate's month: billed, paid and owed per fee item, money received, arrears ageing
    and the three fee rates."""
    from fees.metrics import compute

    statement = selectors.period_statement(estate=estate, period=period)
    ageing = selectors.arrears_ageing(estate=estate, today=period.today)
    rates = compute(estate=estate, period=period)
    sheet = _Sheet(A4)
    with override("zh-hans"):
        sheet.canvas.setTitle(
            _("Fee statement %(e)s %(p)s") % {"e": estate.name, "p": period.label}
        )
        sheet.text(estate.name, 16, align="center")
        sheet.text(_("Fee statement for %(p)s") % {"p": period.label}, 18, align="center", gap=2)
        sheet.text(
            _("Bills due in the period, not voided; printed %(d)s")
            % {"d": _local(period.now, estate)},
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
            _yuan(received["total"]),
        )
        sheet.pair(_("Reversed"), _yuan(received["reversed_total"]))
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
        }
        sheet.table(
            [_("Rate"), _("Numerator"), _("Denominator"), _("Value")],
            [
                [
                    labels[key],
                    f"{ratio.numerator}",
                    f"{ratio.denominator}",
                    f"{ratio.rate if ratio.rate is not None else '—'}",
                ]
                for key, ratio in rates.items()
            ],
            [0.4, 0.2, 0.2, 0.2],
            right=(1, 2, 3),
        )
        return sheet.finish()
