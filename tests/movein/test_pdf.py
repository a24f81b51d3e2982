"""The acknowledgement (交房确认单): Chinese text, every font embedded."""

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from residents.movein import pdf, services
from residents.movein.models import HandoverItem
from tests.factories import make_staff
from tests.movein.factories import at, book
from tests.pdfs import fonts as pdf_fonts

pytestmark = pytest.mark.django_db


def test_acknowledgement_has_chinese_readings_keys_defects_and_embedded_fonts(estate_a):
    desk = make_staff(estate_a, "front_desk")
    handover = services.handover_start(handover=book(estate_a, owner_name="王芳"), by=desk)
    for item in HandoverItem.objects.filter(handover=handover):
        services.item_update(item=item, key_count=4, reading="1024.5", by=desk)
    kitchen = HandoverItem.objects.get(handover=handover, code="room_kitchen")
    services.defect_add(handover=handover, item=kitchen, description="橱柜门合页松动", by=desk)
    services.handover_rate(handover=handover, rating=4, comment="服务周到", by=desk)
    handover = services.handover_complete(handover=handover, by=desk, now=at("2026-10-10 11:00"))

    content = pdf.acknowledgement(handover)
    if os.environ.get("MOVEIN_PDF_OUT"):
        Path(os.environ["MOVEIN_PDF_OUT"]).write_bytes(content)
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    for label in ("交房确认单", "水表", "电表", "燃气表", "钥匙", "业主签字", "物业经办人签字"):
        assert label in text, label
    assert "王芳" in text and "1024.50" in text and "橱柜门合页松动" in text
    assert "服务周到" in text and "2026-10-10 11:00" in text
    fonts = pdf_fonts(content)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
