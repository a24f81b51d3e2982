"""Login, the base layout, the language switch and the manager's KPI page."""

import pytest
from django.test import Client, override_settings

from estate.models import KpiSnapshot
from tests.factories import make_staff


def test_login_page_is_chinese_by_default(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_login_page_in_english_on_request(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Staff log in" in response.content.decode()


def test_login_works_and_lands_on_a_page(estate_a, manager_a):
    c = Client()
    response = c.post(
        "/login/",
        {"username": manager_a.username, "password": "pw-Secret-123"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert c.get("/", follow=True).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_account(estate_a, manager_a):
    c = Client()
    for _ in range(3):
        c.post("/login/", {"username": manager_a.username, "password": "wrong"})
    locked = c.post("/login/", {"username": manager_a.username, "password": "pw-Secret-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in c.session


def test_pages_need_login(client, db):
    response = client.get("/kpis/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_kpi_page_shows_both_months(client, estate_a, manager_a):
    client.force_login(manager_a)
    response = client.get("/kpis/", {"estate": "HY01", "period": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026-10" in html and "2026-09" in html
    assert not KpiSnapshot.objects.filter(estate=estate_a).exists()  # a GET stores nothing


def test_kpi_page_bad_period_shows_an_error_not_a_500(client, estate_a, manager_a):
    client.force_login(manager_a)
    response = client.get("/kpis/", {"estate": "HY01", "period": "2026-13"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_kpi_page_of_another_estate_is_404(client, estate_a, estate_b, manager_a):
    client.force_login(manager_a)
    assert client.get("/kpis/", {"estate": "HY02"}).status_code == 404


def test_technician_cannot_see_the_kpi_page(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get("/kpis/", {"estate": "HY01"}).status_code == 403


def test_estate_switcher_refuses_a_foreign_estate(client, estate_a, estate_b, manager_a):
    client.force_login(manager_a)
    assert client.post("/estate/switch/", {"estate": estate_b.pk}).status_code == 404
    assert client.post("/estate/switch/", {"estate": estate_a.pk}).status_code == 302
