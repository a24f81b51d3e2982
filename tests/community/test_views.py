"""Staff pages: the editors refuse bad input with the form filled in, the check-in list, the
A4 notice with its font embedded, fixed query counts on the lists."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from community import services
from community.models import Announcement, Event, SignUp
from tests.community.factories import make_event, sign_up
from tests.factories import make_staff


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_event_ending_before_it_starts_comes_back_filled_in(client, estate_a, manager_a):
    client.force_login(manager_a)
    now = timezone.now()
    response = client.post(
        "/community/events/new/?estate=HY01",
        {
            "title": "广场舞比赛",
            "place": "中心广场",
            "starts_at": _local(now + dt.timedelta(days=3)),
            "ends_at": _local(now + dt.timedelta(days=2)),
            "capacity": "20",
            "signup_opens_at": _local(now),
            "signup_closes_at": _local(now + dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="广场舞比赛"' in html and "id_ends_at_error" in html
    assert not Event.objects.exists()


def test_create_edit_event_and_desk_signup(client, estate_a, manager_a):
    client.force_login(manager_a)
    now = timezone.now()
    data = {
        "title": "亲子手工",
        "place": "会所",
        "starts_at": _local(now + dt.timedelta(days=3)),
        "ends_at": _local(now + dt.timedelta(days=3, hours=2)),
        "capacity": "1",
        "signup_opens_at": _local(now - dt.timedelta(hours=1)),
        "signup_closes_at": _local(now + dt.timedelta(days=2)),
        "fee": "",
    }
    response = client.post("/community/events/new/?estate=HY01", data)
    event = Event.objects.get()
    assert response.status_code == 302
    desk = {"name": "钱七", "phone": "13812345678", "people": "1", "unit_number": ""}
    assert client.post(f"/community/events/{event.pk}/", desk).status_code == 302
    desk2 = {**desk, "phone": "13912345678", "name": "孙八"}
    client.post(f"/community/events/{event.pk}/", desk2)
    assert list(SignUp.objects.values_list("status", flat=True)) == ["confirmed", "waitlisted"]
    page = client.get(f"/community/events/{event.pk}/").content.decode()
    assert "孙八" in page and "138****5678" in page
    assert (
        client.post(f"/community/events/{event.pk}/edit/", {**data, "capacity": "2"}).status_code
        == 302
    )
    assert SignUp.objects.filter(status="confirmed").count() == 2  # the wait list moved up
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    assert (
        "亲子手工" in client.get(f"/community/events/?estate=HY01&month={month}").content.decode()
    )


def test_front_desk_cannot_open_the_event_editor(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    assert client.get("/community/events/new/?estate=HY01").status_code == 403


def test_check_in_list_search_and_htmx_check_in(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    event = make_event(estate_a)
    a = sign_up(event, name="周一")
    sign_up(event, name="吴二")
    found = client.get(f"/community/events/{event.pk}/checkin/?q=周", HTTP_HX_REQUEST="true")
    html = found.content.decode()
    assert "周一" in html and "吴二" not in html and "<html" not in html
    row = client.post(f"/community/signups/{a.pk}/checkin/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'name="undo"' in row.content.decode()
    a.refresh_from_db()
    assert a.attended_at is not None


def test_announcement_editor_refuses_expiry_before_publish(client, estate_a, manager_a):
    client.force_login(manager_a)
    now = timezone.now()
    response = client.post(
        "/community/announcements/new/?estate=HY01",
        {
            "estates": ["HY01"],
            "title": "电梯检修",
            "body": "x",
            "category": "notice",
            "publish_at": _local(now),
            "expire_at": _local(now - dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert 'value="电梯检修"' in response.content.decode()
    assert not Announcement.objects.exists()


def test_staff_list_shows_states(client, estate_a, manager_a):
    now = timezone.now()
    day = dt.timedelta(days=1)
    services.announcement_publish(estate=estate_a, title="现行", body="x", publish_at=now - day)
    services.announcement_publish(estate=estate_a, title="预定", body="x", publish_at=now + day)
    services.announcement_publish(
        estate=estate_a, title="过期", body="x", publish_at=now - 3 * day, expire_at=now - day
    )
    client.force_login(manager_a)
    expired = client.get("/community/announcements/?estate=HY01&state=expired").content.decode()
    assert "过期" in expired and "现行" not in expired
    scheduled = client.get("/community/announcements/?estate=HY01&state=scheduled").content.decode()
    assert "预定" in scheduled and "现行" not in scheduled


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils")
def test_a4_notice_embeds_its_font(client, estate_a, manager_a, tmp_path):
    a = services.announcement_publish(
        estate=estate_a, title="停水通知", body="因管网维修，本周六停水。\n请提前储水。" * 20
    )
    client.force_login(manager_a)
    response = client.get(f"/community/announcements/{a.pk}/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "n.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), out


@pytest.mark.parametrize("rows", [1, 30])
def test_announcement_list_runs_a_fixed_number_of_queries(
    client, estate_a, manager_a, rows, django_assert_num_queries
):
    for i in range(rows):
        services.announcement_publish(estate=estate_a, title=f"通知{i}", body="x")
    client.force_login(manager_a)
    client.get("/community/announcements/?estate=HY01")
    # session, user, user's and group permissions, memberships, estate by code, count, page;
    # the frame: the switcher's estates, unread notifications, the current estate
    with django_assert_num_queries(11):
        assert client.get("/community/announcements/?estate=HY01").status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_event_page_runs_a_fixed_number_of_queries(
    client, estate_a, manager_a, rows, django_assert_num_queries
):
    event = make_event(estate_a, capacity=100)
    for _ in range(rows):
        sign_up(event)
    client.force_login(manager_a)
    client.get(f"/community/events/{event.pk}/")
    # session, user, permissions (2), memberships, the event, its estate, its counts (one
    # aggregate), its sign-ups (unit joined), the bills of cancelled sign-ups to void (bill
    # and unit joined); the frame: switcher's estates, unread notifications, the current estate
    with django_assert_num_queries(13):
        assert client.get(f"/community/events/{event.pk}/").status_code == 200


def test_rate_records_page(client, estate_a, manager_a):
    client.force_login(manager_a)
    url = "/community/rates/records/?estate=HY01&period=2026-10&metric=community.survey_satisfaction_rate&part=numerator"
    assert client.get(url).status_code == 200
    bad = "/community/rates/records/?estate=HY01&period=2026-13&metric=x"
    assert client.get(bad).status_code == 400


def test_full_phone_is_shown_to_the_front_desk_and_logged(client, estate_a):
    from estate.models import AccessLog

    signup = sign_up(make_event(estate_a), phone="13812345678")
    client.force_login(make_staff(estate_a, "technician"))
    assert client.post(f"/community/signups/{signup.pk}/phone/").status_code == 403
    client.force_login(make_staff(estate_a, "front_desk"))
    response = client.post(f"/community/signups/{signup.pk}/phone/")
    assert "13812345678" in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(signup.pk), field="phone").count() == 1
