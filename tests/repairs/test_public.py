"""The public resident pages: report, follow, rate, look up; protection against abuse."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from community.services import announcement_publish
from estate import kpi
from repairs import services as repair_services
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket
from tests.factories import make_staff, make_unit


@pytest.fixture
def estate(estate_a):
    defaults_install(estate=estate_a)
    make_unit(estate_a, number="3-2-1501")
    return estate_a


def _category(estate, kind="repair"):
    return Category.objects.filter(estate=estate, kind=kind).order_by("sort").first()


def _form(estate, **overrides):
    data = {
        "kind": "repair",
        "category": str(_category(estate).pk),
        "unit_number": "3-2-1501",
        "common_area": "",
        "name": "王女士",
        "phone": "13812345678",
        "description": "厨房水管漏水 💧",
        "preferred_visit_time": "",
        "website": "",
    }
    data.update(overrides)
    return data


def _png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_form_is_chinese_with_the_estates_categories(client, estate):
    html = client.get("/r/HY01/").content.decode()
    assert "报修" in html and _category(estate).name in html
    assert 'name="website"' in html  # the honeypot is there, hidden


def test_submission_creates_a_web_form_ticket_and_shows_its_tracking_page(client, estate):
    photo = SimpleUploadedFile("leak.png", _png(), content_type="image/png")
    response = client.post("/r/HY01/", {**_form(estate), "photos": [photo]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "web_form" and ticket.unit.number == "3-2-1501"
    assert ticket.photos.count() == 1
    assert response["Location"] == f"/r/HY01/t/{ticket.tracking_code}/?new=1"
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page and "138****5678" in page and "13812345678" not in page
    assert len(ticket.tracking_code) >= 22  # token_urlsafe(16): 128 bits


def test_invalid_phone_comes_back_with_everything_typed(client, estate):
    response = client.post("/r/HY01/", _form(estate, phone="1381234567"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_phone_error"' in html
    assert 'value="王女士"' in html and "厨房水管漏水 💧" in html and 'value="3-2-1501"' in html
    assert 'value="1381234567"' in html
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit_number": "9-9-999"}, "unit_number"),
        ({"description": "长" * 100_000}, "description"),
        ({"category": "999999"}, "category"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_saves_nothing(client, estate, overrides, field):
    response = client.post("/r/HY01/", _form(estate, **overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client, estate):
    fake = SimpleUploadedFile("leak.png", b"not an image at all", content_type="image/png")
    response = client.post("/r/HY01/", {**_form(estate), "photos": [fake]})
    assert response.status_code == 400 and 'id="id_photos_error"' in response.content.decode()
    # A file that is not a photo is not kept for the next submission.
    assert 'name="keep_photo"' not in response.content.decode()
    assert not Ticket.objects.exists()


def test_filled_honeypot_creates_nothing(client, estate):
    response = client.post("/r/HY01/", _form(estate, website="http://spam.example"))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_missing_csrf_token_creates_nothing(estate):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/r/HY01/", _form(estate))
    assert response.status_code == 403
    assert not Ticket.objects.exists()


@override_settings(RESIDENT_LIMITS={"submit": "2/h", "otp": "5/h", "lookup": "10/h"})
def test_over_the_limit_gets_429_and_creates_nothing(client, estate):
    for _ in range(2):
        assert client.post("/r/HY01/", _form(estate)).status_code == 302
    response = client.post("/r/HY01/", _form(estate, description="第三次"))
    assert response.status_code == 429
    assert 'id="limited"' in response.content.decode() and "第三次" in response.content.decode()
    assert Ticket.objects.count() == 2
    # Another client address is not affected.
    assert client.post("/r/HY01/", _form(estate), REMOTE_ADDR="10.9.9.9").status_code == 302


def test_wrong_malformed_and_foreign_tracking_codes_are_the_same_404(client, estate, estate_b):
    defaults_install(estate=estate_b)
    client.post("/r/HY01/", _form(estate))
    mine = Ticket.objects.get()
    other = repair_services.ticket_create(
        estate=estate_b,
        kind="complaint",
        category=_category(estate_b, "complaint").pk,
        priority="normal",
        channel="web_form",
        description="噪音",
        reporter_name="李",
        reporter_phone="13900000000",
        common_area="B1",
    )
    answers = [
        client.get(f"/r/HY01/t/{other.tracking_code}/"),  # another estate's ticket
        client.get(f"/r/HY02/t/{mine.tracking_code}/"),  # my code under another estate
        client.get("/r/HY01/t/%27%3Bdrop/"),  # malformed
        client.get(f"/r/HY01/t/{mine.tracking_code[:-1]}x/"),  # a guess
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert client.get(f"/r/HY01/t/{mine.tracking_code}/").status_code == 200


def _resolve(ticket, estate):
    tech = make_staff(estate, "technician")
    front = make_staff(estate, "front_desk")
    repair_services.ticket_accept(ticket=ticket, by=front)
    repair_services.ticket_dispatch(ticket=ticket, by=front, assignee=tech)
    repair_services.ticket_start(ticket=ticket, by=tech)
    return repair_services.ticket_resolve(ticket=ticket, by=tech)


def test_rating_on_the_tracking_page_counts_in_the_months_rates(client, estate):
    client.post("/r/HY01/", _form(estate))
    ticket = Ticket.objects.get()
    page = client.get(f"/r/HY01/t/{ticket.tracking_code}/").content.decode()
    assert 'id="rate-form"' not in page  # not before it is resolved
    _resolve(ticket, estate)
    page = client.get(f"/r/HY01/t/{ticket.tracking_code}/").content.decode()
    assert 'id="rate-form"' in page
    response = client.post(
        f"/r/HY01/t/{ticket.tracking_code}/rate", {"rating": "5", "comment": "很快"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.return_visit_rating == 5 and ticket.return_visited_at is not None
    period = kpi.Period.containing(estate.tz, ticket.reported_at)
    values = kpi.compute_all(estate=estate, period=period)
    assert values["repairs.satisfaction_rate"].rate == 1
    assert values["repairs.return_visit_rate"].rate == 1
    assert (
        values["repairs.return_visit_rate"].numerator,
        values["repairs.return_visit_rate"].denominator,
    ) == (1, 1)
    # A second rating of the same resolution is refused, and changes nothing.
    again = client.post(f"/r/HY01/t/{ticket.tracking_code}/rate", {"rating": "1"})
    assert again.status_code == 409
    ticket.refresh_from_db()
    assert ticket.return_visit_rating == 5


def test_bad_rating_is_refused(client, estate):
    client.post("/r/HY01/", _form(estate))
    ticket = _resolve(Ticket.objects.get(), estate)
    assert client.post(f"/r/HY01/t/{ticket.tracking_code}/rate", {"rating": "9"}).status_code == 400
    ticket.refresh_from_db()
    assert ticket.return_visit_rating is None


def test_not_solved_reopens_the_ticket(client, estate):
    client.post("/r/HY01/", _form(estate))
    ticket = _resolve(Ticket.objects.get(), estate)
    response = client.post(f"/r/HY01/t/{ticket.tracking_code}/not-solved")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status != "resolved" and ticket.reopen_count == 1 and ticket.resolved_at is None


def test_not_solved_after_the_window_is_refused(client, estate):
    client.post("/r/HY01/", _form(estate))
    ticket = _resolve(Ticket.objects.get(), estate)
    import time_machine

    with time_machine.travel(ticket.resolved_at + dt.timedelta(days=60)):
        response = client.post(f"/r/HY01/t/{ticket.tracking_code}/not-solved")
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.reopen_count == 0


def test_my_requests_need_the_code_sent_to_that_phone(client, estate):
    client.post("/r/HY01/", _form(estate))
    client.post("/r/HY01/", _form(estate, phone="13900000009", description="别人的"))
    # Without the code, nothing is listed.
    response = client.post("/r/HY01/my/", {"action": "send", "phone": "13812345678"})
    assert response.status_code == 302
    page = client.get("/r/HY01/my/").content.decode()
    assert "138****5678" in page and "BX-" not in page
    wrong = client.post("/r/HY01/my/", {"action": "verify", "code": "000000"})
    assert wrong.status_code == 400 and "BX-" not in wrong.content.decode()


def test_my_requests_list_only_that_phones_tickets(client, estate, monkeypatch):
    from estate import otp as resident_services

    sent = {}
    real_issue = resident_services.otp_issue

    def capture(**kw):
        sent["code"] = real_issue(**kw)
        return sent["code"]

    monkeypatch.setattr(resident_services, "otp_issue", capture)
    client.post("/r/HY01/", _form(estate))
    client.post("/r/HY01/", _form(estate, phone="13900000009", description="别人的"))
    mine, theirs = Ticket.objects.order_by("id")
    client.post("/r/HY01/my/", {"action": "send", "phone": "13812345678"})
    client.post("/r/HY01/my/", {"action": "verify", "code": sent["code"]})
    page = client.get("/r/HY01/my/").content.decode()
    assert mine.number in page and theirs.number not in page


def test_estate_page_shows_current_announcements_and_the_poster_prints(client, estate):
    announcement_publish(estate=estate, title="停水通知", body="周六停水")
    html = client.get("/r/HY01/home").content.decode()
    assert "停水通知" in html and "/r/HY01/" in html
    pdf = client.get("/r/HY01/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "华苑" in text and "http://testserver/r/HY01/" in text


def test_unknown_estate_is_404(client, db):
    assert client.get("/r/NOPE/").status_code == 404
    assert client.get("/r/NOPE/home").status_code == 404


def test_an_oversized_request_is_refused_before_it_is_read(client, estate):
    response = client.post(
        "/r/HY01/",
        data=b"x" * 10,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert not Ticket.objects.exists()


def test_a_photo_over_5_mb_is_refused(client, estate):
    big = SimpleUploadedFile(
        "big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/png"
    )
    response = client.post("/r/HY01/", {**_form(estate), "photos": [big]})
    assert response.status_code == 400 and 'id="id_photos_error"' in response.content.decode()
    assert not Ticket.objects.exists()
