"""The permit (装修许可证) and the rectification notice (整改通知书): Chinese text that can be
extracted, and the font embedded (listed by pdffonts with emb = yes)."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from renovation import pdf
from tests.renovation.factories import make_renovating, make_violation
from tests.renovation.test_metrics import at


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _fonts_embedded(content: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, emb) for each font pdffonts lists."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows if row.strip()]


def _fonts_from_pypdf(content: bytes) -> list[bool]:
    """For each font: whether a font file is embedded (FontFile2 in the descriptor)."""
    embedded = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            embedded.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    return embedded


@pytest.fixture
def app(estate_a):
    return make_renovating(estate_a, work_types=["painting", "flooring"])


def test_permit_has_the_unit_contractor_works_dates_and_hours(app, tmp_path):
    content = pdf.permit_pdf(app)
    text = _text(content)
    for expected in ("装修许可证", app.unit.number, "美家装饰有限公司", "墙面粉刷", "地面铺装"):
        assert expected in text
    assert f"{app.start_date:%Y年%m月%d日}" in text
    assert "08:00" in text and "18:00" in text
    assert _fonts_from_pypdf(content) and all(_fonts_from_pypdf(content))
    if shutil.which("pdffonts"):
        fonts = _fonts_embedded(content, tmp_path)
        assert fonts and all(emb == "yes" for _name, emb in fonts), fonts


def test_notice_names_the_violation_and_the_deadline(app, tmp_path):
    violation = make_violation(app, found_at=at("2026-10-10 10:00"), due_at=at("2026-10-11 10:00"))
    content = pdf.notice_pdf(violation)
    text = _text(content)
    for expected in ("整改通知书", violation.number, "违时噪音施工", "2026年10月11日 10:00"):
        assert expected in text
    assert all(_fonts_from_pypdf(content))
    if shutil.which("pdffonts"):
        fonts = _fonts_embedded(content, tmp_path)
        assert fonts and all(emb == "yes" for _name, emb in fonts), fonts
