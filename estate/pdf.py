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


@cache
def cjk_font(embed: bool = True) -> str:
    """Register and return the name of a font that renders Chinese text."""
    if embed:
        for path in _TTF_CANDIDATES:
            if path.exists():
                pdfmetrics.registerFont(TTFont("CJK", str(path), subfontIndex=0))
                return "CJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"
