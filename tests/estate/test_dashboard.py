"""The manager's dashboard: stored figures by duty, as percentages against targets, with their
counts linked to the records, the changes on the previous month and the same month a year
before, a 12-month line, the operational panels, the company ranking and the explanation."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from estate import kpi
from estate.dashboard import selectors
from estate.dashboard.services import kpi_target_set
from estate.models import KpiSnapshot
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


def _fill(estate, months: int, tickets: int):
    """Snapshots of every metric for ``months`` months up to 2026-11, and ``tickets`` tickets
    (open, overdue, resolved) so that the panels have rows to count."""
    from tests.repairs.factories import make_category, make_ticket

    period = kpi.Period.month(estate.tz, "2026-11")
    for m in selectors.months_back(period, months):
        for metric in kpi.metrics():
            snap(estate, m.label, metric.key, 3, 4)
    category = make_category(estate, "repair")
    for _ in range(tickets):
        make_ticket(estate, category=category, now=NOW - dt.timedelta(days=3))


@pytest.mark.parametrize("months,tickets", [(1, 0), (13, 6)])
def test_dashboard_runs_a_fixed_number_of_queries(
    client, estate_a, months, tickets, django_assert_num_queries, time_machine
):
    time_machine.move_to(NOW)
    _fill(estate_a, months, tickets)
    kpi_target_set(user=make_company_admin(), estate=None, key="repairs.timely_rate", target="0.9")
    client.force_login(make_staff(estate_a, "manager"))
    client.get("/dashboard/", {"estate": "HY01"})  # warm the session
    # 1 session, 2 user, 3-4 the user's and groups' permissions (company admin?),
    # 5 memberships (roles), 6 the estate by code,
    # 7 the 13 months' snapshots (every metric at once), 8 the targets (estate and defaults),
    # panels: 9 tickets by status, age, overdue and awaiting a visit, 10 arrears ageing,
    # 11 renovating units with open violations, 12 open/overdue violations, 13 next events,
    # base page: 14 the estate chosen in the switcher, 15 unread notifications,
    # 16 the switcher's estates.
    with django_assert_num_queries(16):
        response = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"})
    assert response.status_code == 200


# Panels ---------------------------------------------------------------------------------------


def test_ticket_panel_counts_match_the_lists_they_link_to(client, estate_a, time_machine):
    """Overdue now and each open status: the number on the panel is the number of tickets the
    work queue lists behind its link."""
    from repairs.models import Ticket
    from tests.repairs.factories import make_category, make_ticket

    time_machine.move_to(NOW)
    category = make_category(estate_a, "repair")
    old = [
        make_ticket(estate_a, category=category, now=NOW - dt.timedelta(days=10)) for _ in range(2)
    ]
    make_ticket(estate_a, category=category, now=NOW - dt.timedelta(minutes=5))
    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    html = client.get("/dashboard/", {"estate": "HY01"}).content.decode()
    panel = html[html.index("当前超时") - 200 :]
    link = re.search(
        r'href="([^"]+overdue=1[^"]*)">当前超时</a></td>\s*<td class="num">(.*?)</td>', panel
    )
    assert link, panel[:600]
    shown = re.sub(r"<[^>]+>|!", "", link[2]).strip()
    assert shown == "2"
    listing = client.get(link[1].replace("&amp;", "&")).content.decode()
    assert all(t.number in listing for t in old)
    assert Ticket.objects.filter(estate=estate_a).count() == 3


def test_panels_show_only_to_roles_that_may_see_their_lists(client, estate_a):
    client.force_login(make_staff(estate_a, "finance"))
    html = client.get("/dashboard/", {"estate": "HY01"}).content.decode()
    assert "欠费合计" in html
    assert "当前超时" not in html  # finance does not see tickets


# Company view -----------------------------------------------------------------------------------


def test_company_total_is_sum_of_numerators_over_sum_of_denominators(client, estate_a, estate_b):
    hy03 = make_estate(code="HY03", name="第三")
    snap(estate_a, "2026-11", "repairs.timely_rate", 1, 2)  # 50%
    snap(estate_b, "2026-11", "repairs.timely_rate", 90, 100)  # 90%
    snap(hy03, "2026-11", "repairs.timely_rate", 0, 0)  # no rate
    rankings = selectors.ranking(estates=[estate_a, estate_b, hy03], period_label="2026-11")
    timely = next(r for r in rankings if r.metric.key == "repairs.timely_rate")
    # 91/102 = 0.8922, not (0.5 + 0.9) / 2 = 0.7
    assert timely.total.numerator == 91 and timely.total.denominator == 102
    assert timely.total.rate == Decimal("0.8922")
    assert [(r.estate.code, r.rank) for r in timely.estates] == [
        ("HY02", 1),
        ("HY01", 2),
        ("HY03", None),
    ]
    client.force_login(make_company_admin())
    html = client.get("/dashboard/company/", {"period": "2026-11"}).content.decode()
    section = html[html.index('id="repairs.timely_rate"') :]
    section = section[: section.index("</table>")]
    assert "89.22%" in section and ">91<" in section and ">102<" in section


def test_company_view_ranks_only_the_users_estates(client, estate_a, estate_b):
    snap(estate_a, "2026-11", "repairs.timely_rate", 1, 2)
    snap(estate_b, "2026-11", "repairs.timely_rate", 9, 10)
    client.force_login(make_staff(estate_a, "manager"))
    html = client.get("/dashboard/company/", {"period": "2026-11"}).content.decode()
    assert "HY01" in html and "HY02" not in html and "翠湖" not in html
    section = html[html.index('id="repairs.timely_rate"') :]
    assert "50.00%" in section[: section.index("</table>")]


def test_company_view_refuses_a_technician(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get("/dashboard/company/").status_code == 403


# Explanations -------------------------------------------------------------------------------------


def test_every_registered_rate_is_explained_in_both_languages(client, estate_a):
    from estate.dashboard.explain import EXPLANATIONS

    assert {m.key for m in kpi.metrics()} <= set(EXPLANATIONS)
    client.force_login(make_staff(estate_a, "front_desk"))
    zh = client.get("/dashboard/explain/").content.decode()
    assert (
        "响应时限内首次答复" in zh
        and "账单的到期日所在月份" in zh
        and "满意指评分 4 分或 5 分" in zh
    )
    client.cookies["django_language"] = "en"
    en = client.get("/dashboard/explain/").content.decode()
    assert "first answered by their response deadline" in en and "The month of the bill" in en
    for metric in kpi.metrics():
        assert f'id="{metric.key}"' in en
    assert metric.key not in visible_text(zh)


def test_arrears_panel_total_and_ageing_link_to_the_arrears_list(client, estate_a, time_machine):
    from tests.factories import make_unit
    from tests.fees.factories import make_bill

    time_machine.move_to(NOW)  # 2026-11-20 local
    make_bill(make_unit(estate_a, "1-1-101"), "100.00", due=dt.date(2026, 11, 1))  # 19 days
    make_bill(make_unit(estate_a, "1-1-102"), "50.50", due=dt.date(2026, 6, 1))  # 172 days
    client.force_login(make_staff(estate_a, "manager"))
    html = client.get("/dashboard/", {"estate": "HY01"}).content.decode()
    assert re.search(
        r"欠费合计（元）</a></td>\s*<td class=\"num\"><span class=\"badge danger\">! 150.50", html
    )
    link = re.search(
        r'href="([^"]*bucket=d91_180[^"]*)">[^<]+</a></td>\s*<td class="num">50.50<', html
    )
    assert link, html[html.index("欠费合计") : html.index("欠费合计") + 1500]
    listing = client.get(link[1].replace("&amp;", "&")).content.decode()
    assert "1-1-102" in listing and "1-1-101" not in listing


def test_dashboard_of_another_estate_is_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get("/dashboard/", {"estate": "HY02"}).status_code == 404
    assert client.get("/dashboard/targets/", {"estate": "HY02"}).status_code == 404
    assert client.get("/dashboard/bulletins/", {"estate": "HY02"}).status_code == 404
