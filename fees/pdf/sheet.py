"""The drawing every fee document shares: the project's Chinese font (embedded, see
estate/pdf.py), and a canvas with a cursor moving down the page."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from estate import localtime
from estate.models import Estate
from estate.pdf import cjk_font


def _font() -> str:
    """The Chinese font, embedded as a subset so any viewer and printer shows the text
    (estate/pdf.py; it falls back to the CID font only where no TrueType CJK font exists)."""
    return cjk_font()


def yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


class Sheet:
    """A canvas with a cursor moving down the page, a font and simple tables."""

    def __init__(self, pagesize, margin=15 * mm, *, compress: bool = True):
        self.buffer = BytesIO()
        self.pagesize = pagesize
        self.font = _font()
        # The canvas starts in our font, so no page names Helvetica (not embedded).
        self.canvas = canvas.Canvas(
            self.buffer,
            pagesize=pagesize,
            pageCompression=int(compress),
            initialFontName=self.font,
        )
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


def local_text(moment: dt.datetime, estate: Estate) -> str:
    return localtime.local(moment, estate).strftime("%Y-%m-%d %H:%M")
