"""The lobby poster: an A4 page with a QR code to the estate's resident form."""

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

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
