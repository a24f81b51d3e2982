"""The resident's report form: categories follow the kind, the phone is checked before
sending, and photos survive a submission that comes back with an error."""

import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from repairs import services as repair_services
from repairs.configuration import defaults_install
from repairs.models import Category, PendingPhoto, Ticket
from repairs.public.forms import PHONE_PATTERN
from tests.factories import make_unit


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
        "description": "厨房水管漏水",
        "preferred_visit_time": "",
        "website": "",
    }
    data.update(overrides)
    return data


def _photo(name, colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _token(html):
    return re.search(r'name="upload_token" value="([^"]+)"', html).group(1)


def _kept_ids(html):
    return re.findall(r'name="keep_photo" value="(\d+)" checked', html)


# Categories follow the kind ------------------------------------------------------------------
def test_each_category_option_names_its_kind_for_the_pages_script(client, estate):
    html = client.get("/r/HY01/").content.decode()
    for category in Category.objects.filter(estate=estate).exclude(kind="rectification"):
        assert re.search(rf'<option value="{category.pk}" data-kind="{category.kind}"', html)
    # The script is an external static file: no inline script, no on* handler on the form.
    assert re.search(r'<script src="/static/repairs/report\.js" defer></script>', html)
    form = html[
        html.index('<form method="post" enctype') : html.index(
            "</form>", html.index('id="report-form"')
        )
    ]
    assert "<script>" not in form and not re.search(r"\son[a-z]+=", form)
    # Without the script every kind's categories show, grouped by kind.
    assert html.count("<optgroup") == 3


def test_a_category_of_another_kind_is_refused_naming_those_that_fit(client, estate):
    complaint_category = _category(estate, "complaint")
    response = client.post("/r/HY01/", _form(estate, category=str(complaint_category.pk)))
    assert response.status_code == 400
    html = response.content.decode()
    errors = html[html.index('id="id_category_error"') :].split("</ul>")[0]
    repairs = Category.objects.filter(estate=estate, kind="repair", active=True)
    assert all(c.name in errors for c in repairs)
    assert complaint_category.name not in errors
    assert not Ticket.objects.exists()


def test_the_service_refuses_a_category_of_another_kind_naming_those_that_fit(estate):
    from estate.errors import DomainError

    with pytest.raises(DomainError) as caught:
        repair_services.ticket_create(
            estate=estate,
            kind="suggestion",
            category=_category(estate, "repair"),
            priority="normal",
            channel="web_form",
            description="x",
            reporter_name="王",
            reporter_phone="13812345678",
            unit_number="3-2-1501",
        )
    assert caught.value.field == "category"
    assert _category(estate, "suggestion").name in caught.value.message
    assert _category(estate, "repair").name not in caught.value.message


# The phone, checked in the browser too ---------------------------------------------------------
def test_the_phone_field_is_checked_by_the_browser_before_sending(client, estate):
    html = client.get("/r/HY01/").content.decode()
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', html).group(0)
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and "required" in phone
    assert "pattern=" in phone
    form_tag = re.search(r'<form method="post" enctype[^>]*>', html).group(0)
    assert "novalidate" not in form_tag  # the browser's own checks are on


@pytest.mark.parametrize(
    ("typed", "fits"),
    [
        ("13812345678", True),
        ("138 1234 5678", True),
        ("138-1234-5678", True),
        ("+8613812345678", True),
        ("1381234567", False),
        ("23812345678", False),
        ("138123456789", False),
        ("abc", False),
    ],
)
def test_the_browser_pattern_accepts_what_the_server_accepts(typed, fits):
    from estate.errors import DomainError
    from estate.validators import normalize_mobile

    # HTML's pattern must match the whole value, as fullmatch does.
    assert bool(re.fullmatch(PHONE_PATTERN, typed)) is fits
    if fits:
        assert normalize_mobile(typed) == "13812345678"
    else:
        with pytest.raises(DomainError):
            normalize_mobile(typed)


# Photos survive a failed submission -------------------------------------------------------------
def test_two_photos_survive_a_server_side_error_and_go_with_the_next_submission(client, estate):
    first = client.get("/r/HY01/").content.decode()
    token = _token(first)
    response = client.post(
        "/r/HY01/",
        {
            **_form(estate, unit_number="9-9-9999"),  # no such unit: refused by the server
            "upload_token": token,
            "photos": [_photo("leak.png"), _photo("floor.png", (30, 30, 200))],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_unit_number_error"' in html
    assert 'id="attached-photos"' in html and "leak.png" in html and "floor.png" in html
    assert _token(html) == token
    kept = _kept_ids(html)
    assert len(kept) == 2
    assert not Ticket.objects.exists()

    # Fixed unit, no file picked again: the two photos go with the report.
    response = client.post("/r/HY01/", {**_form(estate), "upload_token": token, "keep_photo": kept})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 2
    assert all(default_storage.exists(p.image.name) for p in ticket.photos.all())
    assert not PendingPhoto.objects.exists()  # the kept copies are gone


def test_a_photo_unticked_is_left_out_and_a_new_one_joins(client, estate):
    token = _token(client.get("/r/HY01/").content.decode())
    html = client.post(
        "/r/HY01/",
        {
            **_form(estate, phone="123"),
            "upload_token": token,
            "photos": [_photo("a.png"), _photo("b.png")],
        },
    ).content.decode()
    first, _second = _kept_ids(html)
    response = client.post(
        "/r/HY01/",
        {
            **_form(estate),
            "upload_token": token,
            "keep_photo": [first],
            "photos": [_photo("c.png")],
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.get().photos.count() == 2


def test_a_file_that_is_not_a_photo_is_not_kept_and_says_so(client, estate):
    token = _token(client.get("/r/HY01/").content.decode())
    bad = SimpleUploadedFile("notes.txt", b"not an image", content_type="text/plain")
    response = client.post(
        "/r/HY01/",
        {**_form(estate, phone="123"), "upload_token": token, "photos": [_photo("a.png"), bad]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_photos_error"' in html
    assert len(_kept_ids(html)) == 1 and PendingPhoto.objects.count() == 1


def test_kept_photos_belong_to_their_estate_and_token(client, estate, estate_b):
    defaults_install(estate=estate_b)
    token = _token(client.get("/r/HY01/").content.decode())
    html = client.post(
        "/r/HY01/",
        {**_form(estate, phone="123"), "upload_token": token, "photos": [_photo("a.png")]},
    ).content.decode()
    kept = _kept_ids(html)
    # The same token and id on another estate's form attach nothing.
    cat_b = Category.objects.filter(estate=estate_b, kind="suggestion").first()
    response = client.post(
        "/r/HY02/",
        {
            **_form(estate, kind="suggestion", category=str(cat_b.pk), unit_number=""),
            "upload_token": token,
            "keep_photo": kept,
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.get(estate=estate_b).photos.count() == 0
    # A malformed token is replaced by a fresh one, never trusted.
    html = client.post(
        "/r/HY01/", {**_form(estate, phone="1"), "upload_token": "../x"}
    ).content.decode()
    assert _token(html) != "../x" and len(_token(html)) >= 20


def test_expired_kept_photos_attach_nothing_and_are_purged_with_their_files(
    client, estate, django_capture_on_commit_callbacks
):
    token = _token(client.get("/r/HY01/").content.decode())
    html = client.post(
        "/r/HY01/",
        {**_form(estate, phone="1"), "upload_token": token, "photos": [_photo("a.png")]},
    ).content.decode()
    kept = _kept_ids(html)
    photo = PendingPhoto.objects.get()
    assert default_storage.exists(photo.image.name)
    assert repair_services.pending_photos_purge(now=timezone.now()) == 0  # not expired yet

    PendingPhoto.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    html = client.post(
        "/r/HY01/", {**_form(estate, phone="1"), "upload_token": token, "keep_photo": kept}
    ).content.decode()
    assert 'id="attached-photos"' not in html and not _kept_ids(html)

    with django_capture_on_commit_callbacks(execute=True):
        assert repair_services.pending_photos_purge() == 1
    assert not PendingPhoto.objects.exists()
    assert not default_storage.exists(photo.image.name)


def test_the_error_reads_in_the_pages_language_with_the_categories_names_in_it(client, estate):
    complaint_category = _category(estate, "complaint")
    client.cookies["django_language"] = "en"
    response = client.post(
        "/r/HY01/",
        _form(estate, category=str(complaint_category.pk)),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    errors = html[html.index('id="id_category_error"') :].split("</ul>")[0]
    assert "Choose a category for repair: " in errors and "Plumbing, " in errors
    assert "给排水" not in errors and "、" not in errors

    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        "/r/HY01/",
        _form(estate, category=str(complaint_category.pk)),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    errors = html[html.index('id="id_category_error"') :].split("</ul>")[0]
    assert "给排水、" in errors and "Plumbing" not in errors and "Choose" not in errors


# What a submission costs the database ----------------------------------------------------------
def test_a_first_submission_reads_three_rows_and_writes_in_one_statement_each(client, estate):
    """Pinned: the estate, the form's categories and the unit are read; the number, the
    ticket, its history and the desk's notices (one INSERT … SELECT, no read of the members)
    are written; the photos kept under the form's token go in one DELETE … RETURNING, and
    none is read when the resident ticked none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from estate.models import Notification
    from tests.factories import make_staff
    from tests.statements import statements

    desk, manager = make_staff(estate, "front_desk"), make_staff(estate, "manager")
    make_staff(estate, "technician")
    data = _form(estate)
    token = _token(client.get("/r/HY01/").content.decode())
    assert client.post("/r/HY01/", {**data, "upload_token": token}).status_code == 302  # warm
    token = _token(client.get("/r/HY01/").content.decode())
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/r/HY01/", {**data, "upload_token": token})
    assert response.status_code == 302
    assert statements(queries.captured_queries) == [
        ("SELECT", "estate_estate"),
        ("SELECT", "repairs_category"),
        ("SELECT", "estate_unit"),
        ("INSERT", "estate_sequence"),
        ("INSERT", "repairs_ticket"),
        ("INSERT", "repairs_ticketevent"),
        ("INSERT", "estate_notification"),
        ("DELETE", "repairs_pendingphoto"),
    ]
    told = Notification.objects.filter(link__endswith=f"/{Ticket.objects.latest('id').pk}/")
    assert sorted(told.values_list("user_id", flat=True)) == sorted([desk.pk, manager.pk])
    assert all(n.created_at is not None and n.read_at is None for n in told)
