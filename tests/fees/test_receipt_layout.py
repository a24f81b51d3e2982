"""The receipt as a printed Chinese 收据: what it shows, that its texts never overlap, that
its fonts are embedded and that the amount really prints (rendered with poppler's pdftoppm,
as a viewer without Adobe's Asian fonts would)."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from fees import pdf, services
from fees.models import FinanceSettings
from tests.factories import make_unit
from tests.fees.factories import make_bill, make_fee_item, pay
from tests.pdfs import fonts as pdf_fonts

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils missing"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DPI = 100


def _words(content: bytes, tmp_path) -> list[dict]:
    """Every word pdftotext finds, with its box (points, origin top-left) and page."""
    source = tmp_path / "r.pdf"
    source.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        )
        if m:
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            words.append({"page": page, "box": (x0, y0, x1, y1), "text": m.group(5)})
    return words


def _overlaps(words: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if a["page"] != b["page"]:
                continue
            ax0, ay0, ax1, ay1 = a["box"]
            bx0, by0, bx1, by1 = b["box"]
            # A hair of tolerance: glyph boxes of neighbouring lines may touch.
            if ax0 < bx1 - 0.5 and bx0 < ax1 - 0.5 and ay0 < by1 - 0.5 and by0 < ay1 - 0.5:
                found.append((a["text"], b["text"]))
    return found


def _render(content: bytes, tmp_path, page: int = 1) -> Image.Image:
    """Page ``page`` as poppler prints it, grey levels."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = tmp_path / "render.pdf"
    source.write_bytes(content)
    png = subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), source],
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def _dark_pixels(image: Image.Image, box_pt: tuple) -> int:
    scale = DPI / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box_pt)
    crop = image.crop((x0 - 1, y0 - 1, x1 + 1, y1 + 1))
    return sum(crop.histogram()[:128])


@pytest.fixture
def receipt_payment(estate_a, finance_a):
    FinanceSettings.objects.create(
        estate=estate_a, company_name="华苑物业服务有限公司", books_open_on=dt.date(2020, 1, 1)
    )
    estate_a.service_phone = "0571-88886666"
    estate_a.save()
    unit = make_unit(estate_a, "3-2-1501")
    finance_a.first_name = "王丽"
    finance_a.save()
    park = make_fee_item(estate_a, "PARK", basis="per_space", price="300", name="车位管理费")
    make_fee_item(estate_a, "PM", name="物业服务费")
    make_bill(unit, "250.00", due=dt.date(2026, 10, 15))
    make_bill(unit, "250.00", due=dt.date(2026, 11, 15))
    make_bill(unit, "300.00", due=dt.date(2026, 11, 15), fee_item=park)
    return pay(
        unit,
        "1000.00",
        finance_a,
        method="wechat",
        payer="张三丰",
        reference="4200001234567890",
        received_at=dt.datetime(2026, 11, 20, 2, 31, tzinfo=dt.UTC),
    )


@pytest.mark.django_db
def test_an_a4_receipt_is_a_chinese_shouju_in_three_copies(receipt_payment, tmp_path):
    content = pdf.receipt_pdf(receipt_payment)
    (ARTIFACTS / "receipt-a4.pdf").write_bytes(content)
    _render(content, tmp_path).save(ARTIFACTS / "receipt-a4.png")
    words = _words(content, tmp_path)
    text = " ".join(w["text"] for w in words)
    # One page, three copies in the default order, each with the whole receipt.
    assert {w["page"] for w in words} == {1}
    for copy in ("存根联", "收据联", "记账联"):
        assert text.count(copy) == 1, copy
    for each in (
        "华苑物业服务有限公司",
        "华苑",
        receipt_payment.number,
        "交款人：张三丰",
        "收款方式：微信支付",
        "4200001234567890",
        "物业服务费",
        "车位管理费",
        "2026-10",
        "预存款",
        "壹仟元整",
        "¥1,000.00",
        "收款人：王丽",
        "（盖章）",
        "交款人签字",
        "2026-11-20 10:31",  # the estate's local time
    ):
        assert text.count(each) >= 3, each
    assert [w["text"] for w in words].count("收据") == 3 and "缴款人" not in text
    # No two texts overlap: in particular 合计 in figures and in 大写.
    assert _overlaps(words) == []
    # Every word lies within the page.
    assert all(w["box"][0] >= 0 and w["box"][2] <= 595.3 for w in words)


@pytest.mark.django_db
def test_the_amount_prints_with_an_embedded_font(receipt_payment, tmp_path):
    content = pdf.receipt_pdf(receipt_payment)
    fonts = pdf_fonts(content)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    listing = subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=False
    ).stdout.decode()
    header, _dashes, *rows = listing.splitlines()
    emb = header.index("emb")
    assert rows and all(row[emb : emb + 3] == "yes" for row in rows if row.strip()), listing
    words = _words(content, tmp_path)
    figures = next(w for w in words if w["text"] == "¥1,000.00")
    in_words = next(w for w in words if "壹仟元整" in w["text"])
    image = _render(content, tmp_path)
    # Glyphs are drawn where the amount and its capital numerals are, not blank boxes of
    # paper; a blank strip of the same size beside it has none.
    assert _dark_pixels(image, figures["box"]) > 40
    assert _dark_pixels(image, in_words["box"]) > 200
    x0, y0, x1, y1 = figures["box"]
    assert _dark_pixels(image, (x0, y0 + 40, x1, y1 + 40)) == 0 or y1 + 40 > 842


@pytest.mark.django_db
def test_copies_are_the_estates_choice_and_long_texts_still_do_not_overlap(
    estate_a, finance_a, tmp_path
):
    FinanceSettings.objects.create(
        estate=estate_a,
        company_name="某某市某某区某某物业服务有限责任公司第一分公司" * 2,
        receipt_copies="白联存根，红联交款人，黄联财务，蓝联留底",
    )
    estate_a.name = "华苑" * 30
    estate_a.save()
    unit = make_unit(estate_a, "12-3-2801")
    for month in range(1, 13):
        make_bill(unit, "9999.99", due=dt.date(2025, month, 15))
    payment = pay(
        unit,
        "9999999999.99",
        finance_a,
        payer="欧阳长名字长名字长名字长名字长名字长名字长名字长名字长名字长名字长名字",
        reference="X" * 64,
    )
    content = pdf.receipt_pdf(payment)
    _render(content, tmp_path).save(ARTIFACTS / "receipt-a4-long.png")
    words = _words(content, tmp_path)
    text = " ".join(w["text"] for w in words)
    assert _overlaps(words) == []
    for index, copy in enumerate(("白联存根", "红联交款人", "黄联财务", "蓝联留底")):
        assert text.count(f"第{'一二三四'[index]}联：{copy}") == 1, copy
    assert "¥9,999,999,999.99" in text
    # Twelve bills of one item are summed into one line with the range of periods.
    assert "12 张账单" in text and "2024-12—2025-11" in text
    assert "玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分" in text.replace(" ", "")


@pytest.mark.django_db
def test_the_80mm_receipt_is_the_payers_copy(receipt_payment, tmp_path):
    content = pdf.receipt_pdf(receipt_payment, size="receipt")
    _render(content, tmp_path).save(ARTIFACTS / "receipt-80mm.png")
    words = _words(content, tmp_path)
    text = " ".join(w["text"] for w in words)
    assert "收据联" in text and "存根联" not in text
    assert "交款人：张三丰" in text and "¥1,000.00" in text and "壹仟元整" in text
    assert _overlaps(words) == []
    assert all(embedded for _name, embedded in pdf_fonts(content))


@pytest.mark.django_db
def test_a_reversed_receipt_says_so_on_every_copy(receipt_payment, finance_a, tmp_path):
    reversal = services.payment_reverse(payment=receipt_payment, reason="重复收款", by=finance_a)
    receipt_payment.refresh_from_db()
    words = _words(pdf.receipt_pdf(receipt_payment), tmp_path)
    text = " ".join(w["text"] for w in words)
    assert text.count(reversal.number) == 3 and text.count("重复收款") == 3
    assert _overlaps(words) == []
