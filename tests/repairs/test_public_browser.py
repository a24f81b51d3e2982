"""A resident on a 360-px phone: fill the form, get it wrong (the browser stops a short phone
number; the server refuses an unknown unit and keeps the two photos attached), fix it, follow
it, rate it.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright against the live test server;
screenshots of the form and the tracking page are saved under test-artifacts/."""

import os
import shutil
from pathlib import Path

import pytest

from repairs import services as repair_services
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket
from tests.factories import make_estate, make_staff, make_unit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def _png(name):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the test's own ORM calls are still synchronous.
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
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=1
        )
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_resident_reports_follows_and_rates_on_a_phone(live_server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    estate = make_estate(code="HY01", name="华苑")
    defaults_install(estate=estate)
    make_unit(estate, number="3-2-1501")
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()

    page.goto(f"{live_server.url}/r/HY01/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing is wider than the phone: no sideways scrolling.
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + e.getBoundingClientRect().right)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    # The category list follows the kind: a complaint offers only complaint categories.
    page.check("input[name=kind][value=complaint]")
    offered = page.evaluate(
        "[...document.querySelectorAll('select[name=category] option[data-kind]')]"
        ".filter(o => !o.disabled).map(o => o.dataset.kind)"
    )
    assert offered and set(offered) == {"complaint"}
    page.check("input[name=kind][value=repair]")
    page.select_option("select[name=category]", str(category.pk))
    page.fill("input[name=unit_number]", "9-9-9999")  # no such unit: the server refuses it
    page.fill("input[name=name]", "王女士")
    page.fill("input[name=phone]", "1381234567")  # one digit short
    page.fill("textarea[name=description]", "厨房水管漏水，地上有积水")
    page.set_input_files("input[name=photos]", [_png("leak.png"), _png("floor.png")])
    page.screenshot(path=str(ARTIFACTS / "resident-form-360.png"), full_page=True)
    page.click("button[type=submit]")

    # The browser stops the short number before anything is sent.
    assert page.evaluate("document.querySelector('input[name=phone]').validity.patternMismatch")
    assert page.url.rstrip("/").endswith("/r/HY01")
    page.fill("input[name=phone]", "13812345678")
    page.click("button[type=submit]")

    # Back from the server with the error beside the unit, everything else still filled in,
    # and the two photos already attached.
    page.wait_for_selector("#id_unit_number_error")
    assert page.input_value("input[name=name]") == "王女士"
    assert page.input_value("input[name=phone]") == "13812345678"
    assert page.input_value("textarea[name=description]") == "厨房水管漏水，地上有积水"
    assert page.input_value("select[name=category]") == str(category.pk)
    assert page.is_checked("input[name=kind][value=repair]")
    assert page.locator("#attached-photos input[name=keep_photo]:checked").count() == 2
    assert not Ticket.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "resident-form-error-360.png"), full_page=True)

    page.fill("input[name=unit_number]", "3-2-1501")
    page.click("button[type=submit]")
    page.wait_for_selector("#submitted")
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 2  # sent without picking them again
    assert page.inner_text("#ticket-number") == ticket.number
    assert page.inner_text("#status") == "已提交"
    tracking_url = page.url.split("?")[0]
    assert ticket.tracking_code in tracking_url
    page.screenshot(path=str(ARTIFACTS / "resident-tracking-360.png"), full_page=True)

    # Staff do the work.
    front = make_staff(estate, "front_desk")
    tech = make_staff(estate, "technician")
    repair_services.ticket_accept(ticket=ticket, by=front)
    repair_services.ticket_dispatch(ticket=ticket, by=front, assignee=tech)
    repair_services.ticket_start(ticket=ticket, by=tech)
    repair_services.ticket_resolve(ticket=ticket, by=tech)

    page.goto(tracking_url)
    assert page.inner_text("#status") == "已解决"
    assert "已处理完成" in page.inner_text("#timeline")
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=comment]", "师傅很专业")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#rated")
    page.screenshot(path=str(ARTIFACTS / "resident-rated-360.png"), full_page=True)
    ticket.refresh_from_db()
    assert ticket.return_visit_rating == 5
