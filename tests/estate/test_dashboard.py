"""The manager's dashboard: stored figures by duty, as percentages against targets, with their
counts linked to the records, the changes on the previous month and the same month a year
before, a 12-month line, the operational panels, the company ranking and the explanation."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from estate import kpi
from estate.dashboard import selectors
from estate.dashboard.services import kpi_target_set
from estate.models import KpiSnapshot, KpiTarget
from tests.factories import make_company_admin, make_estate, make_staff

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def snap(estate, period, key, num, den, at=NOW):
    ratio = kpi.Ratio(num, den)
    return KpiSnapshot.objects.create(
        estate=estate,
        period=period,
        key=key,
        numerator=Decimal(num),
        denominator=Decimal(den),
        rate=ratio.rate,
        computed_at=at,
    )


def visible_text(html: str) -> str:
    """What a reader sees: tags, attributes (tooltips), scripts and styles removed."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def board_data(estate_a):
    snap(estate_a, "2026-11", "repairs.timely_rate", 37, 40)
    snap(estate_a, "2026-10", "repairs.timely_rate", 30, 40)
    snap(estate_a, "2025-11", "repairs.timely_rate", 45, 50)
    snap(estate_a, "2026-11", "fees.collection_rate", "9000.00", "10000.00")
    return estate_a


def test_dashboard_shows_percentages_changes_with_counts_and_links(client, board_data):
    manager = make_staff(board_data, "manager")
    kpi_target_set(user=manager, estate=board_data, key="repairs.timely_rate", target="95%")
    client.force_login(manager)
    response = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('id="repairs.timely_rate"') :]
    row = row[: row.index("</tr>")]
    # 37/40 = 0.9250 → 92.50%, against a 95% target: missed, said in words and a symbol.
    assert "92.50%" in row
    assert "≥ 95.00%" in row and "✗ 未达标" in row
    # vs October (30/40 = 75%): +17.50 points, with October's counts; vs 2025-11 (45/50 = 90%).
    assert "+17.50" in row and "30/40" in row
    assert "+2.50" in row and "45/50" in row
    # The counts link to exactly the metric's drill-down (the same link as the rates page).
    metric = kpi.get("repairs.timely_rate")
    period = kpi.Period.month(board_data.tz, "2026-11")
    for part, count in (("numerator", "37"), ("denominator", "40")):
        link = metric.link(board_data, period, part).replace("&", "&amp;")
        assert f'<a href="{link}">{count}</a>' in row
    # The 12-month line is an inline SVG with a point per month that has a rate.
    assert row.count("<circle") == 2 and "<polyline" in row
    assert 'href="/dashboard/explain/#repairs.timely_rate"' in row


def test_chinese_page_shows_no_raw_keys_outside_tooltips(client, board_data):
    client.force_login(make_staff(board_data, "manager"))
    html = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"}).content.decode()
    text = visible_text(html)
    assert "处理及时率" in text and "收缴率" in text and "报修" in text and "费用收缴" in text
    for metric in kpi.metrics():
        assert metric.key not in text, metric.key
        assert f'title="{metric.key}"' in html  # the key is there, in the tooltip


def test_english_dashboard(client, board_data):
    client.force_login(make_staff(board_data, "manager"))
    response = client.get(
        "/dashboard/", {"estate": "HY01", "period": "2026-11"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    client.cookies["django_language"] = "en"
    html = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"}).content.decode()
    assert response.status_code == 200
    assert "Resolution timeliness rate" in html and "Dashboard of HY01" in html


def test_month_without_snapshot_says_so(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    html = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"}).content.decode()
    assert "尚未计算" in html or "not computed" in html


def test_bad_month_is_a_message_not_a_500(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get("/dashboard/", {"estate": "HY01", "period": "2026-13"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_technician_may_not_see_the_dashboard(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get("/dashboard/", {"estate": "HY01"}).status_code == 403


def test_dashboard_is_in_the_managers_nav_only(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    assert 'href="/dashboard/"' in client.get("/kpis/").content.decode()
    client.force_login(make_staff(estate_a, "front_desk"))
    assert 'href="/dashboard/"' not in client.get("/kpis/").content.decode()
