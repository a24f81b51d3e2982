"""Usable by everyone: every resident page and the main staff pages, checked in Chromium.

On each page, at a 360-px phone and at desktop width: axe-core's WCAG 2.1 A/AA rules (a violation
of impact serious or critical fails), field borders at 3:1, invalid fields visibly marked, and
every aria-describedby pointing to an element that exists; on the desktop, radio groups in a
fieldset with a legend, a visible label on every text field, no aria-label on a div or span and
a visible focus on the first controls reached with Tab; on the phone, every control at least
44x44 CSS px for residents and 24x24 for staff; on the phone and at 200% text, field text (and
every resident text) at least the user's text size; at 320 px and at 200% text on a 360-px
phone, nothing wider than the screen. test_each_check_finds_what_it_looks_for shows each check
failing on a page made of the defects it is for. Long staff lists on
a phone are cards of a few facts (test_long_lists_are_short_cards_on_a_phone). What is checked
and how lives in tests/browser.py. Screenshots go to test-artifacts/ (gitignored).

One browser for the module; each test sees its pages once per viewport and lists every problem
found, not only the first.
"""

import datetime as dt
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext

from community.models import Event, Survey
from community.services.surveys import survey_create
from estate.models import Estate, Unit
from repairs import services as repair_services
from repairs.models import Category
from repairs.paidservices import services as paid_services
from repairs.patrols import services as patrol_services
from residents.models import Resident
from residents.movein import services as movein_services
from tests import browser as b
from tests.community.factories import make_event
from tests.factories import make_unit
from tests.movein.factories import book
from tests.paidservices.factories import make_service
from tests.patrols.factories import make_checklist, make_round

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
    users = get_user_model().objects
    front, tech = users.get(username="hy01-frontdesk"), users.get(username="hy01-tech1")
    for ticket in tickets[1:]:
        repair_services.ticket_accept(ticket=ticket, by=front)
        repair_services.ticket_dispatch(ticket=ticket, by=front, assignee=tech)
        repair_services.ticket_start(ticket=ticket, by=tech)
    repair_services.ticket_resolve(ticket=tickets[1], by=tech)
    return tickets  # submitted, resolved, in progress with hy01-tech1


def _open_survey(estate):
    """A survey open now (the demo's are dated by the seed's clock): its link is the resident's
    survey page."""
    now = timezone.now()
    return survey_create(
        estate=estate,
        title="2026年第四季度满意度调查",
        period="2026Q4",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )


def _handover_in_progress(estate):
    """The tablet page at a handover: the checklist to tick, defects and the owner's rating."""
    now = timezone.now()
    unit = make_unit(estate, "9-1-0901", status="unsold")
    handover = book(estate, unit=unit, date=timezone.localdate(now, estate.tz), now=now)
    return movein_services.handover_start(handover=handover, now=now)


def _patrol_round(estate, name="保洁巡查"):
    """A round planned now for hy01-tech1, who walks it on the phone (on its own checklist,
    named ``name``)."""
    users = get_user_model().objects
    manager, tech = users.get(username="hy01-manager"), users.get(username="hy01-tech1")
    category = Category.objects.filter(estate=estate, kind="rectification").first()
    checklist = make_checklist(
        estate, manager=manager, name=name, **({"category": category} if category else {})
    )
    when = timezone.localtime(timezone.now(), estate.tz).strftime("%Y-%m-%d %H:%M")
    return make_round(estate, checklist=checklist, inspector=tech, manager=manager, when=when)


def _paid_order(estate):
    """An order for a paid service, taken at the desk (the demo has none)."""
    desk = get_user_model().objects.get(username="hy01-frontdesk")
    unit = Unit.objects.filter(estate=estate).order_by("pk").first()
    return paid_services.order_create(
        estate=estate,
        service=make_service(estate, code="a11y-unclog"),
        unit=unit,
        name="王伟",
        phone="13812345678",
        description="厨房下水道堵塞",
        by=desk,
    )


def _patrol_finding(estate):
    """A round walked with a failed item: a finding and its rectification ticket (the demo's
    patrols are the renovation site's)."""
    round_ = _patrol_round(estate, name="楼道安全巡查")
    item = round_.checklist.items.order_by("sort").first()
    return patrol_services.finding_record(
        round=round_, by=round_.inspector, item=item, passed=False, note="楼道堆放杂物，堵塞通道"
    )


def _module_pages(estate):
    """The pages that show one record (a survey, the month's call list, an event, a paid
    service's order, a resident's file, a patrol round, a handover, a unit's account), with the
    record made or found: {username: [(path, name), ...]}."""
    results = Survey.objects.filter(estate=estate, kind=Survey.Kind.PERIODIC)
    survey = results.order_by("-opens_at").first()
    call = Survey.objects.get(estate=estate, kind=Survey.Kind.MONTHLY_CALL)
    sample = call.samples.order_by("pk").first()
    # The event with the most sign-ups: its page and its check-in list are the longest.
    event = (
        Event.objects.filter(estate=estate)
        .annotate(n=Count("signups"))
        .order_by("-n", "pk")
        .first()
    )
    order = _paid_order(estate)
    _patrol_finding(estate)  # the findings and rectifications lists each show a row
    resident = Resident.objects.filter(estate=estate).order_by("pk").first()
    # The unit with the most bills: its account is the longest.
    unit = (
        Unit.objects.filter(estate=estate).annotate(n=Count("bills")).order_by("-n", "pk").first()
    )
    return {
        "hy01-finance": [(f"/fees/units/{unit.pk}/", "unit account")],
        "hy01-manager": [
            (f"/community/events/{event.pk}/", "event"),
            (f"/community/events/{event.pk}/checkin/", "event check-in"),
            (f"/paid-services/orders/{order.pk}/", "paid service order"),
            (f"/residents/{resident.pk}/", "resident file"),
            (f"/community/surveys/{survey.pk}/", "survey results"),
            (f"/community/surveys/{survey.pk}/enter/", "survey answers entry"),
            (f"/community/calls/?period={call.period}", "satisfaction calls"),
            (f"/community/calls/{sample.pk}/", "call record"),
            (f"/movein/handovers/{_handover_in_progress(estate).pk}/", "handover (tablet)"),
        ],
        "hy01-tech1": [(f"/patrols/rounds/{_patrol_round(estate).pk}/", "patrol walk")],
    }


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
        assert b.screenshot(page, "resident-form-errors-text200").stat().st_size > 0

    _visit(page, f"{base}/t/{open_ticket.tracking_code}/")
    check("tracking")
    _visit(page, f"{base}/t/{resolved.tracking_code}/")
    assert page.locator("#rate-form").count() == 1
    check("rating")
    if viewport is b.TEXT200:
        assert b.screenshot(page, "resident-rating-text200").stat().st_size > 0

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
    _visit(page, f"{base}/events/{make_event(demo).pk}")
    assert page.locator("form.stacked").count() == 1, "the event takes no sign-up"
    check("event sign-up")
    b.submit_without_browser_checks(page, "form.stacked")
    check("event sign-up with errors")

    _visit(page, f"{base}/survey/{_open_survey(demo).token}")
    check("survey")
    b.submit_without_browser_checks(page, "form.stacked")
    assert page.locator(".errorlist").count() >= 1, "the empty survey came back without errors"
    check("survey with errors")
    handover = _handover_in_progress(demo)
    _visit(page, f"{base}/handover/{handover.rating_token}/")
    check("handover rating")
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
            ("/community/surveys/", "surveys"),
            ("/facilities/", "facilities"),
            ("/facilities/bookings/", "facility bookings"),
            ("/patrols/", "patrols"),
            ("/paid-services/", "paid services"),
            ("/assessment/", "assessment"),
            ("/dashboard/", "dashboard"),
            ("/dashboard/explain/", "dashboard: how each rate is computed"),
            ("/dashboard/targets/", "dashboard: targets"),
            ("/dashboard/bulletins/", "dashboard: bulletins"),
            ("/renovation/violations/", "renovation violations"),
            ("/patrols/rounds/", "patrol rounds"),
            ("/patrols/findings/", "patrol findings"),
            ("/patrols/rectifications/", "patrol rectifications"),
            ("/residents/incomplete/", "incomplete resident files"),
            ("/residents/access-log/", "resident files access log"),
        ],
    ),
    (
        "hy01-finance",
        [
            ("/fees/cashier/", "cashier"),
            ("/fees/cashier/?q=1", "cashier search"),
            ("/fees/bills/", "bills"),
            ("/fees/arrears/", "arrears"),
            ("/fees/overview/", "fees overview"),
            ("/fees/day-end/", "day-end"),
            ("/fees/meters/", "meter readings"),
        ],
    ),
    ("hy01-tech1", [("/repairs/mine/", "my tickets")]),
]


@pytest.mark.parametrize("viewport", b.VIEWPORTS, ids=lambda v: v["name"])
def test_staff_pages(live_server, chromium, demo, viewport):
    base = live_server.url
    page = b.new_page(chromium, viewport)
    problems = []
    more = _module_pages(demo)

    def check(where):
        problems.extend(b.audit(page, where, viewport, resident=False))

    for username, pages in STAFF_PAGES:
        page.context.clear_cookies()
        _login(page, base, username, viewport, problems if username == "hy01-manager" else None)
        for path, name in pages + more.get(username, []):
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
FORM = "main form[method=post]:has([type=submit])"


def _record_forms(estate):
    """The forms on a record's page: (path, the form), with the records made or found."""
    survey = Survey.objects.filter(estate=estate, kind=Survey.Kind.PERIODIC).first()
    sample = Survey.objects.get(estate=estate, kind=Survey.Kind.MONTHLY_CALL).samples.first()
    round_ = _patrol_round(estate)
    item = round_.checklist.items.order_by("sort").first()
    return [
        (f"/community/surveys/{survey.pk}/enter/", FORM),
        (f"/community/calls/{sample.pk}/", FORM),
        (f"/patrols/rounds/{round_.pk}/", f"#item-{item.pk} form"),
        (f"/movein/handovers/{_handover_in_progress(estate).pk}/", "#rating form"),
        (f"/r/{estate.code}/survey/{_open_survey(estate).token}", "form.stacked"),
    ]


def test_every_aria_describedby_points_to_an_element(live_server, chromium, demo):
    """Errors and help text are tied to their fields: on every form page (and the forms on a
    survey's, a call's, a patrol round's and a handover's page), empty and sent back with
    errors, each aria-describedby names elements that exist and each invalid field its error."""
    base = live_server.url
    page = b.new_page(chromium, b.DESKTOP)
    problems = []
    _login(page, base, "hy01-manager", b.DESKTOP, None)
    tied = 0
    for path, form in [(path, FORM) for path in FORM_PAGES] + _record_forms(demo):
        _visit(page, base + path)
        problems += b.describedby_problems(page, path)
        b.submit_without_browser_checks(page, form)
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


# Long lists on a phone: the columns a card shows there (English names; the others are marked
# wide-only and left out, the row linking to the page that has them). (user, path, columns)
PHONE_COLUMNS = [
    ("hy01-finance", "/fees/bills/", ["Unit", "Period", "Amount due", "Status"]),
    ("hy01-manager", "/repairs/", ["Number", "Status", "Location", "Resolution due"]),
]
# 43 bills were 13,700 px tall on a 360-px phone as cards of every column (nine facts in two
# columns, ~300 px a card); four facts fit a line (~80 px a card) and header, filters and totals
# take ~1,000 px: about 4,500 px. 6,000 leaves room for facts wrapping to a second line (longer
# names, English) and fails when even two more columns come back.
PHONE_BILLS_MAX_HEIGHT = 6000

_CELLS_JS = """rows => rows.map(r => [...r.cells].map(c => ({
  label: c.dataset.label || '',
  shown: getComputedStyle(c).display !== 'none' && c.getBoundingClientRect().height > 0})))"""


def test_long_lists_are_short_cards_on_a_phone(live_server, chromium, demo):
    """On a phone each row of a long list is a card of the few facts a user there needs, so
    the bills page with about 40 bills stays under PHONE_BILLS_MAX_HEIGHT; each card links to
    the page with the rest. On a desktop the same pages show every column."""
    base = live_server.url
    for viewport in (b.PHONE, b.DESKTOP):
        page = b.new_page(chromium, viewport)
        for username, path, columns in PHONE_COLUMNS:
            page.context.clear_cookies()
            _login(page, base, username, viewport, None)
            _visit(page, base + path)
            with translation.override(page.get_attribute("html", "lang")):
                names = [gettext(c) for c in columns]
            rows = page.eval_on_selector_all("table.responsive tbody tr", _CELLS_JS)
            headers = page.locator("table.responsive thead th")
            assert len(rows) >= 10, f"{path}: {len(rows)} rows"
            for cells in rows:
                shown = [c["label"] for c in cells if c["shown"]]
                if viewport is b.PHONE:
                    assert shown == names, f"{viewport['name']} {path}: {shown}"
                else:
                    assert len(shown) == len(cells) == headers.count(), f"{path}: {shown}"
            if viewport is b.DESKTOP:
                assert all(headers.nth(i).is_visible() for i in range(headers.count()))
            if path == "/fees/bills/":
                count = int(page.inner_text("[data-testid=bill-count]"))
                assert count >= 35 and len(rows) == min(count, 50)
                # The unit on each card opens the unit's account: every bill with every column.
                units = page.locator("table.responsive tbody td a[href*='/fees/units/']")
                assert units.count() == len(rows) and units.first.is_visible()
                if viewport is b.PHONE:
                    height = page.evaluate("document.documentElement.scrollHeight")
                    assert height < PHONE_BILLS_MAX_HEIGHT, f"{count} bills: {height} px"
                    b.screenshot(page, "bills-phone")
        page.context.close()


# A page with one of each defect the checks look for (set in the page, no server needed).
BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title><style>
body { margin:0; font:1rem/1.5 sans-serif; } input { border:1px solid #7b8794; }
.tiny { font-size:12px; } .pale { border-color:#e4e4e4; } .grey { color:#bbb; }
.help { font-size:.8rem; } .wide { width:30rem; } button { min-height:3rem; outline:none; }
a.small { display:inline-block; font-size:.6rem; line-height:1; }
</style></head><body><main>
<h1>Broken</h1>
<p class="grey">Grey text nobody can read</p>
<span aria-label="a name nobody hears">a label on a span</span>
<label>Name <input name="name" aria-describedby="nowhere_error"></label>
<input name="q" placeholder="Search only by placeholder">
<label>Amount <input name="amount" class="tiny"></label>
<label>Pale <input name="pale" class="pale"></label>
<label>Code <input name="code" aria-invalid="true"></label>
<p class="help">Help text under 16 px</p>
<label><input type="radio" name="kind" value="a"> A</label>
<label><input type="radio" name="kind" value="b"> B</label>
<p><a class="small" href="#x">x</a></p>
<div class="wide">A block wider than a phone</div>
<button type="button">No focus outline</button>
</main></body></html>"""


def test_each_check_finds_what_it_looks_for(chromium):
    """Each of the checks every page goes through reports the defect it is for: a test that
    passes only because a check looks at nothing would go unnoticed otherwise."""
    page = b.new_page(chromium, b.PHONE)
    page.set_content(BROKEN_PAGE)
    found = {
        "axe": b.axe_problems(page, "p"),
        "describedby": b.describedby_problems(page, "p"),
        "borders": b.border_problems(page, "p"),
        "error state": b.error_state_problems(page, "p"),
        "names": b.name_problems(page, "p"),
        "overflow": b.overflow_problems(page, "p"),
        "targets": b.target_problems(page, "p", 24),
        "text": b.text_size_problems(page, "p", resident=False),
        "resident text": b.text_size_problems(page, "p", resident=True),
        "focus": b.focus_problems(page, "p", tabs=8),
    }
    expected = {
        "axe": ["color-contrast"],
        "describedby": ["nowhere_error"],
        "borders": ["pale"],
        "error state": ["code"],
        "names": ["radio group kind", "q has no visible label", "span has an aria-label"],
        "overflow": ["div.wide"],
        "targets": ['a "x"'],
        "text": ["input[name=amount]"],
        "resident text": ["input[name=amount]", "p.help"],
        "focus": ['button "No focus outline"'],
    }
    missed = [
        f"{check}: {what} not in {found[check]}"
        for check, whats in expected.items()
        for what in whats
        if what not in " ".join(found[check])
    ]
    assert "p.help" not in " ".join(found["text"]), "staff text is held to fields only"
    # At 200% text, 16 px is no longer the user's size: text sized in px falls behind.
    big = b.new_page(chromium, b.TEXT200)
    big.set_content(BROKEN_PAGE.replace(".tiny { font-size:12px; }", ".tiny { font-size:16px; }"))
    if "input[name=amount].tiny 16.0px" not in " ".join(
        b.text_size_problems(big, "p", resident=False)
    ):
        missed.append("text200: a field sized in px (16 px) passed")
    big.context.close()
    page.context.close()
    assert not missed, _report(missed)
