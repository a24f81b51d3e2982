"""Community PDFs: the lobby poster (a QR code to the estate's resident form) and the A4
announcement for notice boards."""

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from community.models import Announcement
from estate import localtime
from estate.models import Estate
from estate.pdf import cjk_font


def estate_poster(*, estate: Estate, form_url: str) -> bytes:
    """A4 poster: the estate's name, what to scan for, the QR code, the service phone."""
    font = cjk_font()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("%(name)s repair and complaint QR code") % {"name": estate.name})
    width, height = A4
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 45 * mm, estate.name)
    pdf.setFont(font, 22)
    pdf.drawCentredString(width / 2, height - 62 * mm, _("Scan to report a repair or complaint"))
    pdf.setFont(font, 14)
    pdf.drawCentredString(
        width / 2, height - 74 * mm, _("No app and no account needed. Follow your request by link.")
    )
    widget = QrCodeWidget(form_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    side = 120 * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, (width - side) / 2, height - 80 * mm - side - 10 * mm)
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, 62 * mm, form_url)
    if estate.service_phone:
        pdf.setFont(font, 18)
        pdf.drawCentredString(
            width / 2,
            45 * mm,
            _("Service centre phone: %(phone)s") % {"phone": estate.service_phone},
        )
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, 25 * mm, estate.address)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` (Chinese wraps anywhere; newlines are kept)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if pdfmetrics.stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def announcement_notice(*, announcement: Announcement) -> bytes:
    """An A4 notice for the board: the estate, the title, the text, the dates. The Chinese
    font is embedded (subset), so any printer renders it."""
    font = cjk_font()
    estate = announcement.estate
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=font)
    pdf.setTitle(announcement.title)
    width, height = A4
    margin = 25 * mm
    pdf.setFont(font, 14)
    pdf.drawCentredString(width / 2, height - 25 * mm, estate.name)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 42 * mm, announcement.title)
    pdf.setLineWidth(0.8)
    pdf.line(margin, height - 48 * mm, width - margin, height - 48 * mm)
    size, leading = 15, 24
    y = height - 62 * mm
    for line in _wrap(announcement.body, font, size, width - 2 * margin):
        if y < 45 * mm:
            pdf.showPage()
            y = height - 30 * mm
        pdf.setFont(font, size)
        pdf.drawString(margin, y, line)
        y -= leading
    local_publish = localtime.local(announcement.publish_at, estate)
    pdf.setFont(font, 13)
    pdf.drawRightString(
        width - margin, 38 * mm, _("%(name)s Property Service Centre") % {"name": estate.name}
    )
    pdf.drawRightString(width - margin, 30 * mm, local_publish.strftime("%Y-%m-%d"))
    if estate.service_phone:
        pdf.setFont(font, 11)
        pdf.drawString(
            margin, 22 * mm, _("Service centre phone: %(phone)s") % {"phone": estate.service_phone}
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
