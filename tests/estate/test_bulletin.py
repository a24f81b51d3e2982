"""The monthly bulletin (物业简报): an A4 PDF in Chinese with its font embedded, the rates
against their targets, at least one trend chart, the apps' sections and the manager's text;
issued once, then downloaded byte-identical; a company bulletin ranks the estates."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from estate import kpi
from estate.dashboard import bulletin as pdf
from estate.dashboard.services import (
    bulletin_draft,
    bulletin_issue,
    bulletin_save,
    bulletins_prepare,
    kpi_target_set,
)
from estate.errors import DomainError
from estate.models import Bulletin
from estate.services import kpi_month_freeze
from tests.estate.test_dashboard import snap
from tests.factories import make_company_admin, make_estate, make_staff
from tests.pdfs import fonts


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _strokes(content: bytes) -> int:
    """How many paths are stroked (S operators) on all pages: lines of charts and tables."""
    reader = PdfReader(io.BytesIO(content))
    count = 0
    for page in reader.pages:
        stream = ContentStream(page.get_contents(), reader)
        count += sum(1 for _operands, op in stream.operations if op in (b"S", b"s"))
    return count


def _lines_to(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content))
    count = 0
    for page in reader.pages:
        stream = ContentStream(page.get_contents(), reader)
        count += sum(1 for _operands, op in stream.operations if op == b"l")
    return count


@pytest.fixture
def issued_data(estate_a):
    for month, num in (("2026-09", 20), ("2026-10", 30), ("2026-11", 37)):
        snap(estate_a, month, "repairs.timely_rate", num, 40)
    snap(estate_a, "2026-11", "fees.collection_rate", "9000.00", "10000.00")
    manager = make_staff(estate_a, "manager", "mgr")
    kpi_target_set(user=manager, estate=estate_a, key="repairs.timely_rate", target="0.95")
    return manager


def test_bulletin_has_chinese_kpi_table_chart_summary_and_embedded_font(estate_a, issued_data):
    bulletin = bulletin_draft(estate=estate_a, period=kpi.Period.month(estate_a.tz, "2026-11"))
    bulletin_save(user=issued_data, bulletin_id=bulletin.pk, summary="本月报修及时率提升明显。")
    content = pdf.render(Bulletin.objects.get(pk=bulletin.pk))
    text = _text(content)
    assert "华苑 物业简报（2026-11）" in text
    assert "本月报修及时率提升明显。" in text
    # The KPI table: the rate's name, its counts, its percentage, the target and "missed".
    assert "处理及时率" in text and "92.50%" in text and "95.00%" in text and "✘ 未达标" in text
    assert "37" in text and "40" in text and "收缴率" in text and "90.00%" in text
    assert "投诉最多的类别" in text and "本月活动" in text
    # A chart: the trend polyline of repairs.timely_rate is drawn (3 months → 2 segments),
    # beyond the lines of the tables.
    without_trend = pdf.render(_blank_bulletin(estate_a))
    assert _lines_to(content) > _lines_to(without_trend)
    assert _strokes(content) > 0
    used = fonts(content)
    assert used and all(embedded for _name, embedded in used), used
    assert PdfReader(io.BytesIO(content)).pages[0].mediabox.width == pytest.approx(595.27, abs=1)


def _blank_bulletin(estate):
    """A bulletin for a month with no rates anywhere near (no charts drawn)."""
    return Bulletin(estate=estate, period="2020-01")


def test_the_same_bulletin_renders_the_same_bytes(estate_a, issued_data):
    bulletin = bulletin_draft(estate=estate_a, period=kpi.Period.month(estate_a.tz, "2026-11"))
    assert pdf.render(bulletin) == pdf.render(bulletin)


def test_issued_bulletin_downloads_byte_identical_and_no_longer_changes(
    client, estate_a, issued_data
):
    bulletin = bulletin_draft(estate=estate_a, period=kpi.Period.month(estate_a.tz, "2026-11"))
    client.force_login(issued_data)
    response = client.post(
        f"/dashboard/bulletins/{bulletin.pk}/", {"summary": "小结", "issue": "1"}
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.issued_at and bulletin.issued_by == issued_data and bulletin.pdf
    first = client.get(f"/dashboard/bulletins/{bulletin.pk}/bulletin.pdf").content
    # Later data changes nothing in the issued file.
    snap(estate_a, "2026-12", "repairs.timely_rate", 1, 1)
    from estate.models import KpiSnapshot

    KpiSnapshot.objects.filter(estate=estate_a, period="2026-11").update(numerator=1)
    second = client.get(f"/dashboard/bulletins/{bulletin.pk}/bulletin.pdf").content
    assert first == second == bytes(bulletin.pdf)
    assert first.startswith(b"%PDF")
    with pytest.raises(DomainError):
        bulletin_save(user=issued_data, bulletin_id=bulletin.pk, summary="改")
    refused = client.post(f"/dashboard/bulletins/{bulletin.pk}/", {"summary": "改"})
    assert refused.status_code == 403


def test_company_bulletin_ranks_the_estates(estate_a, estate_b):
    snap(estate_a, "2026-11", "repairs.timely_rate", 1, 2)
    snap(estate_b, "2026-11", "repairs.timely_rate", 9, 10)
    admin = make_company_admin()
    bulletin = bulletin_draft(estate=None, period=kpi.Period.month(estate_a.tz, "2026-11"))
    issued = bulletin_issue(user=admin, bulletin_id=bulletin.pk)
    text = _text(bytes(issued.pdf))
    assert "公司物业简报（2026-11）" in text and "公司合计" in text
    timely = text[text.index("处理及时率") :]
    assert timely.index("HY02") < timely.index("HY01")  # 90% ranks above 50%
    assert "83.33%" in timely  # (1 + 9) / (2 + 10) = 10/12, not the average 70%


def test_a_manager_may_not_issue_the_company_bulletin(estate_a):
    bulletin = bulletin_draft(estate=None, period=kpi.Period.month(estate_a.tz, "2026-11"))
    with pytest.raises(DomainError) as exc:
        bulletin_issue(user=make_staff(estate_a, "manager"), bulletin_id=bulletin.pk)
    assert exc.value.status == 403


def test_users_see_only_their_estates_bulletins(client, estate_a, estate_b):
    mine = bulletin_draft(estate=estate_a, period=kpi.Period.month(estate_a.tz, "2026-10"))
    theirs = bulletin_draft(estate=estate_b, period=kpi.Period.month(estate_b.tz, "2026-10"))
    company = bulletin_draft(estate=None, period=kpi.Period.month(estate_b.tz, "2026-10"))
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get(f"/dashboard/bulletins/{mine.pk}/").status_code == 200
    for other in (theirs, company):
        assert client.get(f"/dashboard/bulletins/{other.pk}/").status_code == 404
        assert client.get(f"/dashboard/bulletins/{other.pk}/bulletin.pdf").status_code == 404
    listing = client.get("/dashboard/bulletins/", {"estate": "HY01"}).content.decode()
    assert f"/dashboard/bulletins/{mine.pk}/" in listing
    assert f"/dashboard/bulletins/{theirs.pk}/" not in listing
    assert f"/dashboard/bulletins/{company.pk}/" not in listing
    assert client.get("/dashboard/bulletins/", {"estate": "HY02"}).status_code == 404


def test_manager_opens_a_draft_on_demand_front_desk_may_not(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    assert (
        client.post("/dashboard/bulletins/?estate=HY01", {"period": "2026-10"}).status_code == 403
    )
    client.force_login(make_staff(estate_a, "manager"))
    response = client.post("/dashboard/bulletins/?estate=HY01", {"period": "2026-10"})
    bulletin = Bulletin.objects.get(estate=estate_a, period="2026-10")
    assert response.status_code == 302 and response["Location"].endswith(f"/{bulletin.pk}/")
    preview = client.get(f"/dashboard/bulletins/{bulletin.pk}/bulletin.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")


def test_periodic_task_prepares_last_months_drafts_from_the_closing_day(
    estate_a, estate_b, settings, time_machine
):
    from estate.tasks import prepare_bulletins

    time_machine.move_to(dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC))

    settings.KPI_FREEZE_AFTER_DAY = 5
    assert bulletins_prepare(now=dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)) == 0
    assert not Bulletin.objects.exists()
    prepare_bulletins()  # the periodic task (Huey immediate): on the 1st, nothing yet
    assert not Bulletin.objects.exists()
    time_machine.move_to(dt.datetime(2026, 12, 5, 1, tzinfo=dt.UTC))  # 09:00 on the 5th
    prepare_bulletins()  # the months are not frozen yet: only the company's draft
    assert set(Bulletin.objects.values_list("estate__code", "period")) == {(None, "2026-11")}
    for estate in (estate_a, estate_b):
        kpi_month_freeze(estate=estate, period=kpi.Period.month(estate.tz, "2026-11"))
    prepare_bulletins()
    assert set(Bulletin.objects.values_list("estate__code", "period")) == {
        ("HY01", "2026-11"),
        ("HY02", "2026-11"),
        (None, "2026-11"),
    }
    assert bulletins_prepare(now=dt.datetime(2026, 12, 6, 1, tzinfo=dt.UTC)) == 0
    estate_c = make_estate(code="HY03")
    assert bulletins_prepare(now=dt.datetime(2026, 12, 6, 1, tzinfo=dt.UTC)) == 0  # not frozen
    kpi_month_freeze(estate=estate_c, period=kpi.Period.month(estate_c.tz, "2026-11"))
    assert bulletins_prepare(now=dt.datetime(2026, 12, 6, 1, tzinfo=dt.UTC)) == 1
