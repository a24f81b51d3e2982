"""Usable by everyone: every resident page and the main staff pages, checked in Chromium.

On each page, at a 360-px phone and at desktop width: axe-core's WCAG 2.1 A/AA rules (a violation
of impact serious or critical fails), and every aria-describedby pointing to an element that
exists; on the phone, every control at least 44x44 CSS px for residents and 24x24 for staff; at
320 px and at 200% text on a 360-px phone, nothing wider than the screen. What is checked and how
lives in tests/browser.py. Screenshots go to test-artifacts/ (gitignored).

One browser for the module; each test sees its pages once per viewport and lists every problem
found, not only the first.
"""

import os
import re

import pytest
from django.core.management import call_command

from estate.models import Estate, Unit
from repairs import services as repair_services
from repairs.models import Category
from tests import browser as b

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not b.HAS_CHROMIUM, reason="needs Debian's chromium"),
]

NOW = "2026-11-02T03:00:00+08:00"
PASSWORD = "demo1234"


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = b.launch(p)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo(transactional_db):
    """The demo estate HY01 (a month of data: tickets, bills, arrears, events, bookings...)."""
    call_command(
        "seed_demo",
        *("--estates", "1", "--months", "2", "--seed", "3", "--units-per-estate", "12"),
        *("--now", NOW),
        verbosity=0,
    )
    return Estate.objects.get(code="HY01")


def _resident_tickets(estate):
    """A ticket in progress and a resolved one (its page offers the rating), from the phone."""
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()
    unit = Unit.objects.filter(estate=estate).order_by("pk").first()
    tickets = []
    for _ in range(3):
        tickets.append(
            repair_services.ticket_create(
                estate=estate,
                kind="repair",
                category=category,
                unit=unit,
                priority="normal",
                channel="web_form",
                description="厨房水管漏水，地上有积水",
                reporter_name="王女士",
                reporter_phone="13812345678",
            )
        )
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    front, tech = users.get(username="hy01-frontdesk"), users.get(username="hy01-tech1")
    for ticket in tickets[1:]:
        repair_services.ticket_accept(ticket=ticket, by=front)
        repair_services.ticket_dispatch(ticket=ticket, by=front, assignee=tech)
        repair_services.ticket_start(ticket=ticket, by=tech)
    repair_services.ticket_resolve(ticket=tickets[1], by=tech)
    return tickets  # submitted, resolved, in progress with hy01-tech1


def _visit(page, url, *, expect=200):
    response = page.goto(url)
    assert response.status == expect, f"{url}: {response.status}"


def _report(problems):
    return "\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", b.VIEWPORTS, ids=lambda v: v["name"])
def test_resident_pages(live_server, chromium, demo, viewport):
    open_ticket, resolved, _ = _resident_tickets(demo)
    base = f"{live_server.url}/r/HY01"
    page = b.new_page(chromium, viewport)
    problems = []

    def check(where):
        problems.extend(b.audit(page, where, viewport, resident=True))

    _visit(page, f"{base}/")
    check("report form")
    b.submit_without_browser_checks(page, "form.stacked")
    assert page.locator(".errorlist").count() >= 1, "the empty form came back without errors"
    check("report form with errors")
    if viewport is b.TEXT200:
        b.screenshot(page, "resident-form-errors-text200")

    _visit(page, f"{base}/t/{open_ticket.tracking_code}/")
    check("tracking")
    _visit(page, f"{base}/t/{resolved.tracking_code}/")
    assert page.locator("#rate-form").count() == 1
    check("rating")
    if viewport is b.TEXT200:
        b.screenshot(page, "resident-rating-text200")

    _visit(page, f"{base}/home")
    check("estate home")
    _visit(page, f"{base}/my/")
    check("my requests: phone")
    b.submit_without_browser_checks(page, "form.stacked")
    check("my requests: phone with errors")
    page.fill("input[name=phone]", "13812345678")
    b.submit_without_browser_checks(page, "form.stacked")
    check("my requests: code")
    code = page.inner_text("#dev-code") if page.locator("#dev-code").count() else None
    if code:
        page.fill("input[name=code]", code)
        b.submit_without_browser_checks(page, "form.stacked")
        assert resolved.number in page.inner_text("main")
        check("my requests: list")

    _visit(page, f"{base}/facilities/")
    check("facilities")
    first = page.locator("main a[href*='/facilities/']").first
    if first.count():
        first.click()
        page.wait_for_load_state()
        check("facility booking form")
    _visit(page, f"{base}/services/")
    check("paid services")
    page.context.close()
    assert not problems, _report(problems)


def _login(page, base, username, viewport, problems):
    _visit(page, f"{base}/login/")
    if problems is not None:
        problems.extend(b.audit(page, "login", viewport, resident=False))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")


# Who sees which pages: (username, [(path, name), ...]).
STAFF_PAGES = [
    (
        "hy01-manager",
        [
            ("/", "home"),
            ("/repairs/new/", "desk"),
            ("/repairs/", "queue"),
            ("/kpis/", "rates"),
            ("/residents/", "resident files"),
            ("/residents/new/", "resident file form"),
            ("/movein/", "move-in calendar"),
            ("/movein/handovers/", "move-in handovers"),
            ("/renovation/", "renovation board"),
            ("/renovation/applications/", "renovation applications"),
            ("/community/events/", "events"),
            ("/community/events/new/", "event form"),
            ("/community/announcements/", "announcements"),
            ("/facilities/", "facilities"),
            ("/facilities/bookings/", "facility bookings"),
            ("/patrols/", "patrols"),
            ("/paid-services/", "paid services"),
            ("/assessment/", "assessment"),
        ],
    ),
    (
        "hy01-finance",
        [
            ("/fees/cashier/", "cashier"),
            ("/fees/cashier/?q=1", "cashier search"),
            ("/fees/bills/", "bills"),
            ("/fees/arrears/", "arrears"),
        ],
    ),
    ("hy01-tech1", [("/repairs/mine/", "my tickets")]),
]


@pytest.mark.parametrize("viewport", b.VIEWPORTS, ids=lambda v: v["name"])
def test_staff_pages(live_server, chromium, demo, viewport):
    base = live_server.url
    page = b.new_page(chromium, viewport)
    problems = []

    def check(where):
        problems.extend(b.audit(page, where, viewport, resident=False))

    for username, pages in STAFF_PAGES:
        page.context.clear_cookies()
        _login(page, base, username, viewport, problems if username == "hy01-manager" else None)
        for path, name in pages:
            _visit(page, base + path)
            check(name)
        if username == "hy01-manager":
            _visit(page, f"{base}/repairs/new/")
            b.submit_without_browser_checks(page, "main form[method=post]")
            assert page.locator(".errorlist").count() >= 1, "the empty desk form came back whole"
            check("desk with errors")
            if viewport is b.DESKTOP:
                # The desk's search results: reached with the keyboard, each shows its focus.
                unit = Unit.objects.filter(estate=demo).order_by("pk").first()
                page.fill("#desk-q", unit.number)
                page.wait_for_selector("#search-results button")
                page.focus("#desk-q")
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.closest('#search-results') !== null")
                focused = page.evaluate(b._FOCUS_JS)
                if focused:
                    problems.append(f"desktop desk search results: no visible focus on {focused}")

    # The technician's ticket in progress, with its hold form.
    ticket = _resident_tickets(demo)[2]
    _visit(page, f"{base}/repairs/{ticket.pk}/")
    check("ticket in progress (technician)")
    page.context.close()
    assert not problems, _report(problems)


FORM_PAGES = [
    "/repairs/new/",
    "/residents/new/",
    "/renovation/applications/new/",
    "/community/events/new/",
    "/community/announcements/new/",
    "/community/surveys/new/",
    "/facilities/new/",
    "/patrols/checklists/new/",
    "/assessment/trainings/new/",
    "/repairs/categories/new/",
]


def test_every_aria_describedby_points_to_an_element(live_server, chromium, demo):
    """Errors and help text are tied to their fields: on every form page, empty and sent back
    with errors, each aria-describedby names elements that exist."""
    base = live_server.url
    page = b.new_page(chromium, b.DESKTOP)
    problems = []
    _login(page, base, "hy01-manager", b.DESKTOP, None)
    tied = 0
    for path in FORM_PAGES:
        _visit(page, base + path)
        problems += b.describedby_problems(page, path)
        b.submit_without_browser_checks(page, "main form[method=post]:has([type=submit])")
        errors = page.locator("[aria-invalid=true]")
        assert errors.count() >= 1, f"{path}: the empty form came back without errors"
        problems += b.describedby_problems(page, f"{path} with errors")
        for i in range(errors.count()):
            # A radio or check box group names its error on its fieldset.
            described = errors.nth(i).evaluate(
                "e => e.getAttribute('aria-describedby') ||"
                " e.closest('fieldset')?.getAttribute('aria-describedby') || ''"
            )
            if re.search(r"_error\b", described):
                tied += 1
            else:
                problems.append(f"{path}: an invalid field names no error: {described!r}")
    page.context.clear_cookies()
    _visit(page, f"{base}/r/HY01/")
    b.submit_without_browser_checks(page, "form.stacked")
    problems += b.describedby_problems(page, "report form with errors")
    page.context.close()
    assert tied
    assert not problems, _report(problems)
