"""The manager's service settings (business calendar, categories, reply templates) and the
monthly return-visit sample work list."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from estate.kpi import Period
from repairs import services
from repairs.models import CalendarDay, CalendarYear, Category, ReplyTemplate, WorkingHours
from tests.factories import make_staff
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.django_db
CALENDAR = reverse("repairs:calendar")


@pytest.fixture
def manager(client, estate_a, manager_a):
    client.force_login(manager_a)
    return client


def _minutes(**changes) -> dict:
    values = {
        f"{w}_minutes_{p}": m
        for w, m in (("response", 30), ("resolve", 480))
        for p in ("normal", "urgent", "emergency")
    }
    return values | changes


# The business calendar ---------------------------------------------------------------------------
def test_a_year_no_source_covers_shows_a_warning(manager):
    html = manager.get(CALENDAR, {"year": "2031"}).content.decode()
    assert 'id="calendar-warning"' in html and "2031" in html


def test_importing_a_year_lists_its_holidays_and_drops_the_warning(manager, estate_a):
    response = manager.post(reverse("repairs:calendar_import"), {"estate": "HY01", "year": "2025"})
    assert response.status_code == 302
    record = CalendarYear.objects.get(estate=estate_a, year=2025)
    assert record.source == "chinese_calendar" and not record.provisional
    html = manager.get(CALENDAR, {"year": "2025"}).content.decode()
    assert 'id="calendar-warning"' not in html
    assert "2025-10-01" in html  # National Day
    assert "2025-09-28" in html  # the makeup Sunday before it
    assert CalendarDay.objects.get(estate=estate_a, date=dt.date(2025, 9, 28)).kind == "workday"


def test_import_of_an_impossible_year_is_refused_beside_the_year(manager):
    response = manager.post(reverse("repairs:calendar_import"), {"estate": "HY01", "year": "1999"})
    assert response.status_code == 422
    assert re.search(r'id="id_year_error"', response.content.decode())
    assert CalendarYear.objects.count() == 0


def test_a_manager_corrects_one_day(manager, estate_a):
    data = {"estate": "HY01", "year": "2026", "date": "2026-12-24", "kind": "holiday", "name": "x"}
    assert manager.post(reverse("repairs:calendar_day"), data).status_code == 302
    day = CalendarDay.objects.get(estate=estate_a, date=dt.date(2026, 12, 24))
    assert (day.kind, day.source) == ("holiday", "manual")
    bad = manager.post(reverse("repairs:calendar_day"), data | {"date": "2026-02-30"})
    assert bad.status_code == 422 and CalendarDay.objects.count() == 1


def test_working_hours_per_weekday_with_a_lunch_break(manager, estate_a):
    data = {
        "estate": "HY01",
        "year": "2026",
        "weekday": "5",
        "day5-morning_start": "09:00",
        "day5-morning_end": "12:00",
        "day5-afternoon_start": "13:00",
        "day5-afternoon_end": "16:00",
    }
    assert manager.post(reverse("repairs:calendar_hours"), data).status_code == 302
    saturday = WorkingHours.objects.get(estate=estate_a, weekday=5)
    assert (saturday.morning_start, saturday.afternoon_end) == (dt.time(9), dt.time(16))
    assert WorkingHours.objects.filter(estate=estate_a).count() == 6  # Mon-Fri kept, Sat added
    html = manager.get(CALENDAR, {"year": "2026"}).content.decode()
    assert re.search(r'id="weekday-5".*?value="13:00"', html, re.S)


def test_working_hours_that_end_before_they_start_are_refused(manager, estate_a):
    data = {
        "estate": "HY01",
        "year": "2026",
        "weekday": "0",
        "day0-morning_start": "12:00",
        "day0-morning_end": "08:00",
    }
    response = manager.post(reverse("repairs:calendar_hours"), data)
    assert response.status_code == 422
    row = re.search(r'id="weekday-0"(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert 'class="errorlist"' in row and 'value="12:00"' in row
    assert WorkingHours.objects.count() == 0


# Categories ------------------------------------------------------------------------------------
def test_a_manager_edits_a_service_level(manager, estate_a):
    category = make_category(estate_a, code="plumbing", name="给排水")
    url = reverse("repairs:category_edit", args=[category.pk])
    page = manager.get(url).content.decode()
    assert 'value="plumbing"' in page
    data = {"kind": "repair", "code": "plumbing", "name": "给排水", "business_hours": "on"}
    data |= {"active": "on"} | _minutes(resolve_minutes_urgent=240)
    assert manager.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.resolve_minutes_urgent == 240 and category.business_hours


def test_a_resolution_shorter_than_the_response_is_refused_beside_it(manager, estate_a):
    category = make_category(estate_a, code="plumbing", response=30, resolve=600)
    url = reverse("repairs:category_edit", args=[category.pk])
    data = {"kind": "repair", "code": "plumbing", "name": "给排水"}
    data |= _minutes(resolve_minutes_normal=10)
    response = manager.post(url, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(
        r'id="field-resolve_minutes_normal".*?id="id_resolve_minutes_normal_error"', html, re.S
    )
    assert 'name="resolve_minutes_normal" value="10"' in html
    category.refresh_from_db()
    assert category.resolve_minutes_normal == 600


def test_a_new_category(manager, estate_a):
    data = {"estate": "HY01", "kind": "complaint", "code": "noise", "name": "噪音", "active": "on"}
    response = manager.post(reverse("repairs:category_new"), data | _minutes())
    assert response.status_code == 302
    assert Category.objects.get(estate=estate_a, code="noise").kind == "complaint"
    clash = manager.post(reverse("repairs:category_new"), data | _minutes())
    assert clash.status_code == 422 and Category.objects.filter(code="noise").count() == 1


# Reply templates -----------------------------------------------------------------------------------
def test_reply_templates_are_added_edited_and_deleted(manager, estate_a):
    url = reverse("repairs:templates")
    data = {"estate": "HY01", "situation": "hold", "title": "等待", "text": "请您方便时联系{phone}"}
    assert manager.post(url, data | {"sort": "5", "active": "on"}).status_code == 302
    template = ReplyTemplate.objects.get(estate=estate_a)
    edit = reverse("repairs:template_edit", args=[template.pk])
    changed = data | {"title": "等待业主", "sort": "5"}
    assert manager.post(edit, changed).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.active) == ("等待业主", False)
    empty = manager.post(edit, changed | {"text": ""})
    assert empty.status_code == 422 and "请您方便时联系" not in empty.content.decode()
    assert manager.post(reverse("repairs:template_delete", args=[template.pk])).status_code == 302
    assert ReplyTemplate.objects.count() == 0


# Roles ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["front_desk", "technician", "finance"])
def test_only_managers_change_settings(client, estate_a, role):
    category = make_category(estate_a)
    template = ReplyTemplate.objects.create(estate=estate_a, situation="other", title="t", text="x")
    client.force_login(make_staff(estate_a, role))
    for url in (
        CALENDAR,
        reverse("repairs:categories"),
        reverse("repairs:category_edit", args=[category.pk]),
        reverse("repairs:templates"),
        reverse("repairs:template_edit", args=[template.pk]),
    ):
        assert client.get(url).status_code == 403, url
    denied = client.post(reverse("repairs:calendar_import"), {"estate": "HY01", "year": "2025"})
    assert denied.status_code == 403 and CalendarYear.objects.count() == 0
    assert client.post(reverse("repairs:template_delete", args=[template.pk])).status_code == 403
    assert ReplyTemplate.objects.count() == 1


# The return-visit sample -------------------------------------------------------------------------
def test_the_sample_work_list_puts_the_calls_to_make_first(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    category = make_category(estate_a)
    tickets = []
    for day in range(1, 4):
        t = make_ticket(estate_a, category=category, now=at(f"2026-09-0{day} 09:00"))
        services.ticket_accept(ticket=t, by=desk, now=at(f"2026-09-0{day} 09:10"))
        services.ticket_resolve(ticket=t, by=desk, now=at(f"2026-09-0{day} 12:00"))
        tickets.append(t)
    period = Period.month(estate_a.tz, "2026-09")
    run = services.return_visit_sample_create(estate=estate_a, period=period, minimum=3)
    assert run.items.count() == 3
    services.return_visit_record(ticket=tickets[0], by=desk, reached=True, rating=4)
    client.force_login(desk)
    html = client.get(reverse("repairs:samples"), {"period": "2026-09"}).content.decode()
    rows = re.findall(r'<tr data-number="([^"]+)"', html)
    assert rows == [tickets[1].number, tickets[2].number, tickets[0].number]
    assert html.count('class="badge warn"') == 2 and html.count('class="badge ok"') == 1
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get(reverse("repairs:samples")).status_code == 403


def test_the_sample_counts_every_reached_visit_whoever_recorded_it_and_when(client, estate_a):
    """A hand-built month: six resolved tickets, all sampled. Reached visits recorded before
    the sample was drawn, after it, by the resident's own rating and through the API count;
    an unreached call and a visit older than a re-resolution do not."""
    desk = make_staff(estate_a, "front_desk")
    category = make_category(estate_a)
    tickets = []
    for day in range(1, 7):
        t = make_ticket(estate_a, category=category, now=at(f"2026-09-0{day} 09:00"))
        services.ticket_accept(ticket=t, by=desk, now=at(f"2026-09-0{day} 09:10"))
        services.ticket_resolve(ticket=t, by=desk, now=at(f"2026-09-0{day} 12:00"))
        tickets.append(t)
    # Before the sample is drawn: a reached visit (0), an unreached one (1), and a visit (2)
    # followed by a reopening and a new resolution that has not been visited yet.
    services.return_visit_record(
        ticket=tickets[0], by=desk, reached=True, solved=True, rating=5, now=at("2026-09-20 10:00")
    )
    services.return_visit_record(
        ticket=tickets[1], by=desk, reached=False, now=at("2026-09-20 10:05")
    )
    services.return_visit_record(
        ticket=tickets[2], by=desk, reached=True, now=at("2026-09-03 15:00")
    )
    services.ticket_reopen(ticket=tickets[2], by=desk, reason="又漏了", now=at("2026-09-04 09:00"))
    services.ticket_resolve(ticket=tickets[2], by=desk, now=at("2026-09-05 12:00"))
    period = Period.month(estate_a.tz, "2026-09", now=at("2026-10-01 02:00"))
    run = services.return_visit_sample_create(estate=estate_a, period=period, minimum=6)
    assert run.items.count() == 6
    # After: the resident rates (3) and a visit through the API (4); 5 stays to call.
    services.ticket_rate_by_resident(ticket=tickets[3], rating=4, now=at("2026-10-02 10:00"))
    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    api = client.post(
        f"/api/v1/tickets/{tickets[4].pk}/return-visits",
        {"reached": True, "solved": True, "rating": 4},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    visited = {tickets[0].number, tickets[3].number, tickets[4].number}

    html = client.get(reverse("repairs:samples"), {"period": "2026-09"}).content.decode()
    rows = dict(re.findall(r'<tr data-number="([^"]+)" data-visited="(\d)"', html))
    assert {n for n, v in rows.items() if v == "1"} == visited
    assert len(rows) == 6
    assert re.search(r'id="progress" data-sampled="6" data-visited="3"', html)
    listed = client.get("/api/v1/return-visit-samples", {"estate": "HY01", "period": "2026-09"})
    assert {r["number"] for r in listed.json() if r["visited"]} == visited


def test_the_categories_page_says_which_clock_each_priority_runs_on(client, estate_a):
    """As ``runs_on_business_hours`` computes the deadlines: a business-hours category runs
    normal and urgent (紧急) on working hours and only emergency (特急) around the clock."""
    make_category(estate_a, code="plumbing", business_hours=True, response=30, resolve=2 * 24 * 60)
    make_category(estate_a, code="lifts", business_hours=False, response=90, resolve=150)
    client.force_login(make_staff(estate_a, "manager"))
    html = client.get(reverse("repairs:categories")).content.decode()
    cells = re.findall(r'data-priority="(\w+)" data-clock="(\w+)">([^<]+)<', html)
    assert cells == [
        ("normal", "24h", "1 小时 30 分钟 / 2 小时 30 分钟"),
        ("urgent", "24h", "1 小时 30 分钟 / 2 小时 30 分钟"),
        ("emergency", "24h", "1 小时 30 分钟 / 2 小时 30 分钟"),
        ("normal", "business", "30 分钟 / 48 小时"),  # working hours, not days of 24 h
        ("urgent", "business", "30 分钟 / 48 小时"),
        ("emergency", "24h", "30 分钟 / 2 天"),
    ]
    assert "2880" not in html
