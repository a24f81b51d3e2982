"""The front desk and a technician in Chromium: a landline caller logged, a ticket cancelled
through its confirmation step, the technician resolving with a note on a 360-px phone, and a
return visit that finds it not solved and reopens the ticket in the same step.

Drives Debian's Chromium with Playwright against the live test server, as the resident's
browser test does; screenshots are saved under test-artifacts/."""

import os

import pytest
from django.conf import settings
from django.test import Client

from repairs import services
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket
from tests.factories import make_estate, make_staff, make_unit
from tests.repairs.test_public_browser import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _as(browser, live_server, user, *, width: int, height: int):
    """A page logged in as ``user`` (the session cookie of a forced login)."""
    client = Client()
    client.force_login(user)
    # bypass_csp: Playwright's wait_for_function evaluates its text in the page, which our CSP
    # (no eval) refuses; tests/estate/test_csp.py checks the policy itself.
    context = browser.new_context(
        bypass_csp=True,
        viewport={"width": width, "height": height},
        locale="zh-CN",
        device_scale_factor=1,
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_desk_logs_a_landline_cancels_and_a_technician_resolves_on_a_phone(live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    estate = make_estate(code="HY01", name="华苑")
    defaults_install(estate=estate)
    make_unit(estate, number="1-1-1001")
    make_unit(estate, number="1-1-101")
    desk = make_staff(estate, "front_desk")
    tech = make_staff(estate, "technician")
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()

    # The front desk logs a caller on a landline.
    page = _as(browser, live_server, desk, width=1280, height=900)
    page.goto(f"{live_server.url}/repairs/new/?estate=HY01")
    # Search in natural order, arrow down and Enter pick, the focus moves on.
    page.type("#desk-q", "1-1-10")
    page.wait_for_selector("#search-results button >> nth=1")
    numbers = page.locator("#search-results b").all_inner_texts()
    assert numbers == ["1-1-101", "1-1-1001"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('id_unit').value === '1-1-101'")
    page.wait_for_function("document.activeElement.id === 'id_reporter_name'")
    page.wait_for_selector("#caller-context .ctx-box")
    page.fill("#id_reporter_name", "李先生")
    page.fill("#id_reporter_phone", "0571-8888 6666")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_description", "楼道灯不亮")
    page.screenshot(path=str(ARTIFACTS / "desk-landline-form.png"), full_page=True)
    page.click("#desk-form button[type=submit]")
    page.wait_for_selector("#created")
    ticket = Ticket.objects.get()
    assert ticket.reporter_phone == "057188886666"
    assert ticket.number in page.inner_text("#created")

    # A duplicate call is cancelled: the button says so, the reason is chosen, a
    # confirmation step says what will happen.
    duplicate = services.ticket_create(
        estate=estate,
        kind="repair",
        category=category,
        priority="normal",
        channel="phone",
        description="楼道灯不亮（重复来电）",
        reporter_name="李先生",
        reporter_phone="021 5000 0000",
        unit_number="1-1-101",
        by=desk,
    )
    page.goto(f"{live_server.url}/repairs/{duplicate.pk}/")
    cancel = page.locator("#action-cancel")
    assert "作废工单" in cancel.inner_text()
    assert page.input_value("#action-cancel select[name=cancel-reason]") == ""
    page.select_option("#action-cancel select[name=cancel-reason]", "duplicate")
    cancel.locator("button[type=submit]").click()
    page.wait_for_selector("#what-happens")
    assert "恢复" in page.inner_text("#what-happens")
    page.screenshot(path=str(ARTIFACTS / "desk-cancel-confirm.png"), full_page=True)
    duplicate.refresh_from_db()
    assert duplicate.status == "submitted"  # nothing happened before confirming
    page.click("#confirm-button")
    page.wait_for_selector("ul.messages")
    duplicate.refresh_from_db()
    assert duplicate.status == "cancelled"

    # The technician, on a 360-px phone, resolves with a completion note and a confirmation.
    services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
    phone = _as(browser, live_server, tech, width=360, height=740)
    phone.goto(f"{live_server.url}/repairs/{ticket.pk}/")
    assert phone.get_attribute("#reporter-phone", "href") == "tel:057188886666"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # A compact header: the ticket, not the navigation, fills the first screen.
    assert phone.evaluate("document.querySelector('header.top').offsetHeight") <= 110
    phone.goto(f"{live_server.url}/repairs/mine/")
    phone.screenshot(path=str(ARTIFACTS / "tech-mine-360.png"), full_page=True)
    phone.click(f"article[data-number='{ticket.number}'] button[data-action=resolve]")
    phone.wait_for_selector("#what-happens")
    phone.fill("input[name=resolve-note]", "更换了灯泡")
    phone.screenshot(path=str(ARTIFACTS / "tech-resolve-confirm-360.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.click("#confirm-button")
    phone.wait_for_selector("ul.messages")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.history.get(kind="resolved").note == "更换了灯泡"

    # The return visit: not solved, and reopened in the same step with the reason.
    page.goto(f"{live_server.url}/repairs/{ticket.pk}/")
    visit = page.locator("#action-visit")
    visit.locator("input[name=visit-reached][value='1']").check()
    visit.locator("input[name=visit-solved][value='0']").check()
    visit.locator("textarea[name=visit-comment]").fill("灯还是不亮")
    visit.locator("input[name=visit-reopen]").check()
    page.screenshot(path=str(ARTIFACTS / "desk-visit-reopen.png"), full_page=True)
    visit.locator("button[type=submit]").click()
    page.wait_for_selector("ul.messages")
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.reopen_count == 1
    assert "灯还是不亮" in ticket.history.get(kind="reopened").note
    page.screenshot(path=str(ARTIFACTS / "desk-reopened.png"), full_page=True)
