"""What every PDF shares: a font that renders Chinese.

reportlab's built-in CID font STSong-Light needs no font file (the viewer supplies the glyphs);
when Debian's WenQuanYi Micro Hei is installed it is embedded instead, so the printout looks the
same everywhere."""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

_TTF_CANDIDATES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]


def _keep_tables(font: TTFont) -> None:
    """Every PDF embeds its own subset of the font, and reportlab's subsetter copies the
    tables it reads out of the font file each time: 4 MB for WenQuanYi (its glyph outlines
    and its PostScript names), about 2 ms of a receipt's 7. The face keeps each table it has
    read once (they are immutable bytes), so a subset copies only the glyphs it embeds."""
    face = font.face
    face.get_table = cache(face.get_table)


@cache
def cjk_font(embed: bool = True) -> str:
    """Register and return the name of a font that renders Chinese text."""
    if embed:
        for path in _TTF_CANDIDATES:
            if path.exists():
                font = TTFont("CJK", str(path), subfontIndex=0)
                _keep_tables(font)
                pdfmetrics.registerFont(font)
                return "CJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"
