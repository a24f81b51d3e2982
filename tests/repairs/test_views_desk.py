"""The front desk's page to log a call (报事登记): search, pick, deadlines before saving, and a
refused report that comes back whole with nothing saved."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from repairs.models import Category, ReplyTemplate, Ticket, TicketPhoto
from residents.services import resident_create
from tests.factories import make_staff, make_unit
from tests.repairs.factories import at, make_category

pytestmark = pytest.mark.django_db
URL = reverse("repairs:desk")


@pytest.fixture
def desk(client, estate_a):
    user = make_staff(estate_a, "front_desk")
    client.force_login(user)
    return client


@pytest.fixture
def plumbing(estate_a):
    return make_category(
        estate_a, "repair", code="plumbing", name="给排水", response=30, resolve=240
    )


def _png(name="p.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


# A visiting time must lie between now and a year ahead: three days from whenever the test runs.
VISIT = f"{timezone.localtime(timezone.now() + dt.timedelta(days=3)):%Y-%m-%dT%H:%M}"


def _post(client, estate, category, **changes):
    data = {
        "estate": estate.code,
        "resident": "",
        "unit": "",
        "common_area": "",
        "reporter_name": "王伟",
        "reporter_phone": "13812345678",
        "kind": "repair",
        "category": str(category.pk),
        "priority": "urgent",
        "channel": "walk_in",
        "description": "厨房水管漏水，楼下已渗水",
        "preferred_visit_time": VISIT,
    } | changes
    return client.post(URL, data)


def _value(html: str, name: str) -> str:
    m = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert m, f"no input {name}"
    v = re.search(r'value="([^"]*)"', m.group(0))
    return v.group(1) if v else ""


def _error_beside(html: str, field: str) -> str:
    m = re.search(rf'id="field-{field}".*?id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert m, f"no error beside {field}"
    return m.group(1)


def test_saving_logs_the_ticket_and_offers_dispatch(desk, estate_a, plumbing):
    unit = make_unit(estate_a, "3-2-1501")
    response = _post(desk, estate_a, plumbing, unit="3-2-1501")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.unit, ticket.channel, ticket.priority) == (unit, "walk_in", "urgent")
    assert ticket.created_by is not None
    page = desk.get(response["Location"]).content.decode()
    assert ticket.number in page
    dispatch = reverse("repairs:ticket_action", args=[ticket.pk, "dispatch"])
    assert dispatch in page
    tech = make_staff(estate_a, "technician")
    back = desk.post(dispatch, {"dispatch-assignee": tech.pk, "next": f"{URL}?estate=HY01"})
    assert back["Location"] == f"{URL}?estate=HY01"  # ready for the next call
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("dispatched", tech)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reporter_phone": "1381234567"}, "reporter_phone"),  # 10 digits
        ({"reporter_phone": "020-8765432"}, "reporter_phone"),  # a landline one digit short
        ({"unit": "9-9-9999"}, "unit"),  # no such unit in this estate
        ({"description": "x" * 100_000}, "description"),
    ],
)
def test_a_refused_report_keeps_every_field_and_saves_nothing(
    desk, estate_a, plumbing, changes, field
):
    make_unit(estate_a, "3-2-1501")
    data = {"unit": "3-2-1501", "common_area": "", "major_complaint": ""} | changes
    response = _post(desk, estate_a, plumbing, **data)
    html = response.content.decode()
    assert response.status_code == 422
    assert Ticket.objects.count() == 0
    assert _error_beside(html, field)
    assert _value(html, "reporter_name") == "王伟"
    assert _value(html, "unit") == data["unit"]
    assert _value(html, "reporter_phone") == changes.get("reporter_phone", "13812345678")
    assert _value(html, "preferred_visit_time") == VISIT
    assert re.search(r'name="priority" value="urgent"[^>]*checked', html)
    assert re.search(r'<option value="walk_in" selected>', html)
    assert re.search(rf'<option value="{plumbing.pk}" selected>', html)
    if field != "description":
        assert "厨房水管漏水，楼下已渗水</textarea>" in html


def test_the_phone_error_says_what_is_wrong(desk, estate_a, plumbing):
    make_unit(estate_a, "3-2-1501")
    html = _post(desk, estate_a, plumbing, unit="3-2-1501", reporter_phone="123").content.decode()
    error = _error_beside(html, "reporter_phone")
    assert "13812345678" in error and "0571-88886666" in error  # both kinds it takes


def test_a_unit_of_another_estate_is_an_unknown_unit(desk, estate_a, estate_b, plumbing):
    make_unit(estate_b, "5-1-0101")
    response = _post(desk, estate_a, plumbing, unit="5-1-0101")
    assert response.status_code == 422
    assert _error_beside(response.content.decode(), "unit")
    assert Ticket.objects.count() == 0


def test_a_category_of_another_kind_is_refused_beside_the_category(desk, estate_a, plumbing):
    noise = make_category(estate_a, "complaint", code="noise", name="噪音")
    response = _post(desk, estate_a, noise, common_area="3号楼大堂")
    assert response.status_code == 422
    assert _error_beside(response.content.decode(), "category")
    assert Ticket.objects.count() == 0


def test_major_complaint_on_a_repair_is_refused_beside_the_flag(desk, estate_a, plumbing):
    response = _post(desk, estate_a, plumbing, common_area="大堂", major_complaint="on")
    assert response.status_code == 422
    assert _error_beside(response.content.decode(), "major_complaint")
    assert Ticket.objects.count() == 0


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_saved(desk, estate_a, plumbing):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = _post(desk, estate_a, plumbing, common_area="大堂", photos=[bad])
    html = response.content.decode()
    assert response.status_code == 422
    assert _error_beside(html, "photos") and 'id="reattach"' in html
    assert Ticket.objects.count() == TicketPhoto.objects.count() == 0


def test_photos_are_saved_with_the_ticket(desk, estate_a, plumbing):
    response = _post(desk, estate_a, plumbing, common_area="大堂", photos=[_png(), _png()])
    assert response.status_code == 302
    assert TicketPhoto.objects.filter(ticket=Ticket.objects.get()).count() == 2


def test_a_picked_resident_fills_the_reporter_and_their_number_is_used(desk, estate_a, plumbing):
    unit = make_unit(estate_a, "3-2-1501")
    resident = resident_create(
        estate=estate_a, name="李娜", phone="13912345678", units=[unit], primary=True
    )
    found = desk.get(reverse("repairs:desk_search"), {"estate": "HY01", "q": "李"})
    assert "3-2-1501" in found.content.decode() and "139****5678" in found.content.decode()
    assert "13912345678" not in found.content.decode()
    picked = desk.get(
        reverse("repairs:desk_pick"), {"estate": "HY01", "unit": unit.pk, "resident": resident.pk}
    ).content.decode()
    assert _value(picked, "unit") == "3-2-1501"
    assert _value(picked, "reporter_name") == "李娜"
    assert _value(picked, "reporter_phone") == "" and "139****5678" in picked
    response = _post(
        desk,
        estate_a,
        plumbing,
        unit="3-2-1501",
        reporter_name="李娜",
        reporter_phone="",
        resident=str(resident.pk),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.resident, ticket.reporter_phone) == (resident, "13912345678")


def test_search_finds_units_by_number_and_residents_by_last_four_digits(desk, estate_a, estate_b):
    unit = make_unit(estate_a, "7-1-0301")
    make_unit(estate_b, "7-1-0302")
    resident_create(estate=estate_a, name="赵六", phone="13700005555", units=[unit])
    by_unit = desk.get(reverse("repairs:desk_search"), {"estate": "HY01", "q": "7-1"}).content
    assert "7-1-0301" in by_unit.decode() and "7-1-0302" not in by_unit.decode()
    by_phone = desk.get(reverse("repairs:desk_search"), {"estate": "HY01", "q": "5555"}).content
    assert "赵六" in by_phone.decode()


def test_picking_a_resident_of_another_estate_is_404(desk, estate_a, estate_b):
    other = resident_create(estate=estate_b, name="外人", phone="13600001111")
    response = desk.get(reverse("repairs:desk_pick"), {"estate": "HY01", "resident": other.pk})
    assert response.status_code == 404


def test_categories_follow_the_kind(desk, estate_a, plumbing):
    noise = make_category(estate_a, "complaint", code="noise", name="噪音")
    html = desk.get(
        reverse("repairs:desk_categories"), {"estate": "HY01", "kind": "complaint"}
    ).content.decode()
    assert f'value="{noise.pk}"' in html and f'value="{plumbing.pk}"' not in html


def test_deadlines_appear_before_saving_on_business_hours(desk, estate_a, time_machine):
    # Friday 2026-10-09 17:00 Shanghai (no holidays imported): 30 minutes are left on Friday, so
    # 60 business minutes run out Monday 09:00 and 240 at Monday 12:00, before lunch.
    time_machine.move_to(at("2026-10-09 17:00"), tick=False)
    category = make_category(estate_a, code="lift", business_hours=True, response=60, resolve=240)
    html = desk.get(
        reverse("repairs:desk_deadlines"),
        {"estate": "HY01", "kind": "repair", "category": category.pk, "priority": "normal"},
    ).content.decode()
    assert '<strong id="respond-due">2026-10-12 09:00</strong>' in html
    assert '<strong id="resolve-due">2026-10-12 12:00</strong>' in html
    emergency = desk.get(
        reverse("repairs:desk_deadlines"),
        {"estate": "HY01", "kind": "repair", "category": category.pk, "priority": "emergency"},
    ).content.decode()
    assert '<strong id="respond-due">2026-10-09 18:00</strong>' in emergency


def test_deadlines_match_what_the_saved_ticket_gets(desk, estate_a, time_machine):
    time_machine.move_to(at("2026-10-09 11:50"), tick=False)
    category = make_category(estate_a, code="elec", business_hours=True, response=30, resolve=480)
    preview = desk.get(
        reverse("repairs:desk_deadlines"),
        {"estate": "HY01", "kind": "repair", "category": category.pk, "priority": "urgent"},
    ).content.decode()
    _post(desk, estate_a, category, common_area="大堂")
    ticket = Ticket.objects.get()
    due = ticket.resolve_due_at.astimezone(estate_a.tz).strftime("%Y-%m-%d %H:%M")
    assert f'<strong id="resolve-due">{due}</strong>' in preview


def test_a_greeting_is_never_offered_for_the_problem_description(desk, estate_a, plumbing):
    ReplyTemplate.objects.create(
        estate=estate_a, situation="greeting", title="问候", text="您好，这里是{estate}客服中心"
    )
    ReplyTemplate.objects.create(
        estate=estate_a, situation="other", title="补充", text="业主已拍照"
    )
    html = desk.get(URL).content.decode()
    assert "您好，这里是华苑客服中心" not in html
    assert 'data-insert="业主已拍照" data-target="id_description"' in html


def test_phrases_that_need_the_saved_ticket_wait_for_the_ticket_page(desk, estate_a):
    ReplyTemplate.objects.create(
        estate=estate_a, situation="accept", title="受理", text="单号{number}，{resolve_due}前处理"
    )
    assert "单号" not in desk.get(URL).content.decode()


def test_the_page_speaks_chinese_by_default_and_english_on_request(desk, estate_a, plumbing):
    chinese = desk.get(URL).content.decode()
    assert "登记报事" in chinese and "来电" in chinese
    english = desk.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log a call" in english and "phone call" in english
    html = _post(desk, estate_a, plumbing, unit="9-9-9999").content.decode()
    assert "本小区没有" in _error_beside(html, "unit")


def test_technicians_and_finance_cannot_log_calls(client, estate_a):
    for role in ("technician", "finance"):
        client.force_login(make_staff(estate_a, role))
        assert client.get(URL).status_code == 403
        assert client.get(reverse("repairs:desk_search"), {"q": "1"}).status_code == 403


def test_the_page_needs_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_another_estates_code_is_404(desk, estate_b):
    assert desk.get(URL, {"estate": "HY02"}).status_code == 404
    assert Category.objects.count() == 0
