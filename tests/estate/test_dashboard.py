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
    # The counts link to exactly the records the stored figure counted: its snapshot, the
    # same link as the rates page.
    metric = kpi.get("repairs.timely_rate")
    period = kpi.Period.month(board_data.tz, "2026-11")
    stored = KpiSnapshot.objects.get(estate=board_data, period="2026-11", key=metric.key)
    for part, count in (("numerator", "37"), ("denominator", "40")):
        link = kpi.drill_link(metric, board_data, period, part, stored.pk).replace("&", "&amp;")
        assert f"snapshot={stored.pk}" in link
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
    # kpi_table: 7 the 13 months' snapshots (every metric at once), 8 those months' states;
    # 9 the targets (estate and defaults), 10 the month's state (frozen? recomputing?),
    # panels: 11 tickets by status, age, overdue and awaiting a visit, 12 arrears ageing,
    # 13 renovating units with open violations, 14 open/overdue violations, 15 next events,
    # base page: 16 the estate chosen in the switcher, 17 unread notifications,
    # 18 the switcher's estates.
    with django_assert_num_queries(18):
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


# Frozen months -----------------------------------------------------------------------------------


def _october_frozen(estate):
    """Two October tickets, the month frozen on NOW (2026-11-20): (category, first ticket)."""
    from estate.services import kpi_month_freeze
    from tests.repairs.factories import at, make_category, make_ticket

    category = make_category(estate, "repair")
    first = make_ticket(estate, category=category, now=at("2026-10-05 09:00"))
    make_ticket(estate, category=category, now=at("2026-10-06 09:00"))
    kpi_month_freeze(estate=estate, period=kpi.Period.month(estate.tz, "2026-10", now=NOW))
    return category, first


def _late_changes(estate, category, first, late: int = 1):
    """``late`` back-dated October tickets arrive and October's first ticket is resolved:
    ``late + 1`` records a frozen October would now count differently."""
    from repairs import services
    from tests.repairs.factories import at, make_ticket

    desk = make_staff(estate, "front_desk")
    for _ in range(late):
        make_ticket(estate, category=category, now=at("2026-10-20 10:00"))
    services.ticket_accept(ticket=first, by=desk)
    services.ticket_resolve(ticket=first, by=desk, note="修好了")


def test_dashboard_marks_a_frozen_month_and_counts_the_records_changed_since(
    client, estate_a, time_machine
):
    time_machine.move_to(NOW)
    category, first = _october_frozen(estate_a)
    client.force_login(make_staff(estate_a, "manager"))
    query = {"estate": "HY01", "period": "2026-10"}
    html = client.get("/dashboard/", query).content.decode()
    assert 'data-testid="frozen"' in html
    assert 'data-testid="changed-since" data-changed="0"' in html

    _late_changes(estate_a, category, first)
    response = client.get("/dashboard/", query)
    html = response.content.decode()
    # Marked as the rates page marks it, with the number of records (not of rates) changed.
    assert 'data-testid="frozen"' in html and "已冻结" in html
    assert 'data-testid="changed-since" data-changed="2"' in html and "2 条记录" in html
    rates = client.get("/kpis/", query)
    assert rates.context["changed_records"] == 2
    assert 'data-testid="changed-since" data-changed="2"' in rates.content.decode()
    # The frozen figure stays as it was: the two tickets of October.
    rows = {r.key: r for r in response.context["board"].rows}
    assert rows["repairs.response_timely_rate"].current.ratio.denominator == 2
    # An open month is not marked frozen and says nothing changed.
    html = client.get("/dashboard/", {"estate": "HY01", "period": "2026-11"}).content.decode()
    assert 'data-testid="frozen"' not in html and "changed-since" not in html


def test_unfreezing_recomputes_and_the_dashboard_shows_the_new_figure(
    client, estate_a, time_machine
):
    time_machine.move_to(NOW)
    category, first = _october_frozen(estate_a)
    _late_changes(estate_a, category, first)
    client.force_login(make_staff(estate_a, "manager"))
    response = client.post(
        "/kpis/unfreeze/", {"estate": "HY01", "period": "2026-10", "reason": "补录10月工单"}
    )
    assert response.status_code == 302
    response = client.get("/dashboard/", {"estate": "HY01", "period": "2026-10"})
    html = response.content.decode()
    assert 'data-testid="reopened"' in html and "changed-since" not in html
    rows = {r.key: r for r in response.context["board"].rows}
    assert rows["repairs.response_timely_rate"].current.ratio.denominator == 3


def test_a_frozen_months_dashboard_runs_the_same_queries_whatever_changed(
    client, estate_a, time_machine
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.repairs.factories import at, make_ticket

    time_machine.move_to(NOW)
    category, _first = _october_frozen(estate_a)
    client.force_login(make_staff(estate_a, "manager"))
    query = {"estate": "HY01", "period": "2026-10"}
    client.get("/dashboard/", query)  # warm the session
    counts = []
    for late in (1, 4):
        for _ in range(late):
            make_ticket(estate_a, category=category, now=at("2026-10-20 10:00"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dashboard/", query)
        counts.append(len(queries))
    assert response.context["changed_records"] == 5
    # The month's row, then two counts per cohort of stored records, on top of the open
    # month's queries: the same number with one late record or five.
    assert counts[0] == counts[1]


# The tickets panel: each number lands on exactly its tickets --------------------------------------


def test_every_ticket_panel_line_lands_on_exactly_the_tickets_it_counts(
    client, estate_a, time_machine
):
    """Closed and cancelled tickets of the same age stay out of the "open, n days old" lines;
    "return visits to make" counts the resolved tickets whose resident was not reached since
    the resolution, and its link lists those."""
    from django.urls import reverse

    from repairs import services
    from tests.repairs.factories import make_category, make_ticket

    time_machine.move_to(NOW)
    category = make_category(estate_a, "repair")
    desk = make_staff(estate_a, "front_desk")
    tech = make_staff(estate_a, "technician")

    def logged(days: int, *steps: str):
        ticket = make_ticket(
            estate_a, category=category, now=NOW - dt.timedelta(days=days, hours=1)
        )
        for step in steps:
            if step == "accept":
                services.ticket_accept(ticket=ticket, by=desk)
            elif step == "hold":
                services.ticket_hold(ticket=ticket, by=desk, reason="业主不在")
            elif step == "dispatch":
                services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
            elif step == "resolve":
                services.ticket_resolve(ticket=ticket, by=desk, note="修好了")
            elif step == "close":
                services.ticket_close(ticket=ticket, by=desk, outcome="solved")
            elif step == "cancel":
                services.ticket_cancel(ticket=ticket, by=desk, reason="duplicate")
            elif step == "unreached":
                services.return_visit_record(ticket=ticket, by=desk, reached=False)
            elif step == "visited":
                services.return_visit_record(
                    ticket=ticket, by=desk, reached=True, solved=True, rating=5
                )
            elif step == "rated":
                services.ticket_rate_by_resident(ticket=ticket, rating=4)
        return ticket

    logged(0)  # open, reported today
    logged(2, "accept")  # open, 1-2 days old
    logged(4, "accept", "hold")  # open (on hold), 3-6 days old
    logged(10, "dispatch")  # open, a week old, overdue
    logged(2, "accept", "resolve", "close")  # closed: in no "open" line, no visit to make
    logged(4, "cancel")  # cancelled: in no line
    due = {logged(10, "accept", "resolve"), logged(10, "accept", "resolve", "unreached")}
    logged(10, "accept", "resolve", "visited")  # reached: no visit to make
    logged(10, "accept", "resolve", "rated")  # the resident's own rating counts as reached

    client.force_login(make_staff(estate_a, "manager"))
    response = client.get("/dashboard/", {"estate": "HY01"})
    queue = reverse("repairs:queue")
    panel = next(p for p in response.context["panels"] if p.url and p.url.startswith(queue))
    for line in panel.lines:
        listing = client.get(line.url)
        assert listing.status_code == 200, line.url
        listed = listing.context["page"].paginator.count
        assert listed == line.value, (str(line.label), line.url, listed, line.value)
    ages = [line.value for line in panel.lines if "status=open" in line.url]
    assert ages == [1, 1, 1, 1]
    visits = next(line for line in panel.lines if "visit=due" in line.url)
    assert visits.value == 2
    listing = client.get(visits.url).content.decode()
    assert all(t.number in listing for t in due)


def test_every_renovation_panel_line_lands_on_exactly_what_it_counts(client, estate_a):
    """An approved application waiting to start is on the board but not "renovating"; only a
    renovating unit with an open violation is in the second line."""
    from django.urls import reverse

    from renovation import services as renovation_services
    from tests.renovation.factories import make_application, make_renovating, make_violation, now

    desk = make_staff(estate_a, "front_desk")
    make_renovating(estate_a, by=desk)
    noisy = make_renovating(estate_a, by=desk)
    make_violation(noisy, found_at=now())
    renovation_services.application_transition(
        application=make_application(estate_a, by=desk), action="approve", by=desk
    )
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get("/dashboard/", {"estate": "HY01"})
    board = reverse("renovation:board")
    panel = next(p for p in response.context["panels"] if p.url and p.url.startswith(board))
    values = []
    for line in panel.lines:
        listing = client.get(line.url)
        assert listing.status_code == 200, line.url
        ctx = listing.context
        on_board = line.url.split("?")[0] == board
        listed = len(ctx["rows"]) if on_board else ctx["page"].count
        assert listed == line.value, (str(line.label), line.url, listed, line.value)
        values.append(line.value)
    assert values[:3] == [2, 1, 1]
