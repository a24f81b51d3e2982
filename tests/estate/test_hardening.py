"""Faults and abuse (issue 15, the estate part): client addresses behind proxies, one-time
codes per phone, the residents' pages with the shared cache down, periodic tasks whose run
died holding the lock, and the health page."""

import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from estate import taskruns
from estate.models import TaskRun
from estate.otp import otp_issue
from estate.ratelimit import client_ip
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket
from tests.factories import make_company_admin, make_staff, make_unit

DOWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    },
    "fallback": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "estatedesk_cache",
    },
}


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXIES=[])
def test_forwarded_header_is_ignored_without_a_trusted_proxy():
    assert client_ip(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forwarded_header_is_read_only_from_a_trusted_proxy():
    # From the proxy: the right-most entry that is not one of our proxies.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.5")) == "198.51.100.9"
    # A client talking to gunicorn directly cannot choose its address.
    assert client_ip(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    # A malformed entry never becomes the address.
    assert client_ip(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"


@override_settings(TRUSTED_PROXIES=[], AXES_FAILURE_LIMIT=3)
def test_rotating_forwarded_header_does_not_escape_the_login_lockout(client, estate_a):
    make_staff(estate_a, "manager", username="mgr")
    for n in range(3):
        client.post(
            "/login/",
            {"username": "mgr", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/login/", {"username": "mgr", "password": "demo1234"}, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert response.status_code in (403, 429) or "locked" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


@override_settings(TRUSTED_PROXIES=["127.0.0.1"], AXES_FAILURE_LIMIT=3)
def test_behind_a_proxy_an_attacker_cannot_lock_out_someone_else(client, estate_a):
    user = make_staff(estate_a, "manager", username="mgr2")
    user.set_password("right-password-123")
    user.save()
    for _ in range(3):
        client.post(
            "/login/",
            {"username": "mgr2", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    response = client.post(
        "/login/",
        {"username": "mgr2", "password": "right-password-123"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


@override_settings(
    RESIDENT_LIMITS={"submit": "20/h", "lookup": "10/h", "otp": "50/h", "otp_phone": "3/h"}
)
def test_codes_are_capped_per_phone_number(estate_a):
    from estate.errors import DomainError

    for _ in range(3):
        otp_issue(estate=estate_a, phone="13812345678")
    with pytest.raises(DomainError) as exc:
        otp_issue(estate=estate_a, phone="13812345678")
    assert exc.value.field == "phone" and exc.value.status == 429
    otp_issue(estate=estate_a, phone="13912345678")  # another number is not affected


@pytest.fixture
def public_estate(estate_a):
    defaults_install(estate=estate_a)
    make_unit(estate_a, number="3-2-1501")
    return estate_a


def _report(estate):
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()
    return {
        "kind": "repair",
        "category": str(category.pk),
        "unit_number": "3-2-1501",
        "common_area": "",
        "name": "王女士",
        "phone": "13812345678",
        "description": "缓存宕机时报修",
        "preferred_visit_time": "",
        "website": "",
    }


def test_with_the_cache_down_the_resident_form_still_saves_the_report(client, public_estate):
    with override_settings(CACHES=DOWN_CACHE):
        response = client.post("/r/HY01/", _report(public_estate))
    assert response.status_code == 302, response.content.decode()[:500]
    assert Ticket.objects.filter(description="缓存宕机时报修").count() == 1


def test_with_the_cache_down_a_code_request_says_try_again_and_keeps_the_phone(
    client, public_estate
):
    with override_settings(CACHES=DOWN_CACHE):
        response = client.post("/r/HY01/my/", {"action": "send", "phone": "13812345678"})
        staff = make_staff(public_estate, "front_desk", username="desk-down")
        client.force_login(staff)
        staff_page = client.get("/repairs/")
    html = response.content.decode()
    assert response.status_code in (400, 503)
    assert 'value="13812345678"' in html
    assert "暂时无法发送" in html or "try again" in html.lower()
    assert staff_page.status_code == 200


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_run_that_died_holding_its_lock_does_not_block_the_next(db):
    from huey.contrib.djhuey import HUEY

    from estate.tasks import clear_dead_runs, refresh_kpis

    assert clear_dead_runs in HUEY._startup.values()  # a starting consumer runs it

    dead = {"host": socket.gethostname(), "pid": _dead_pid(), "token": "dead"}
    cache.set("task-lock:kpi-refresh", dead, 3600)
    died = TaskRun.objects.create(
        name="kpi-refresh", started_at="2026-11-30T00:00:00Z", host=dead["host"], pid=dead["pid"]
    )
    taskruns.dead_runs_clear()  # what clear_dead_runs does, without closing the test's connection
    died.refresh_from_db()
    assert died.outcome == TaskRun.Outcome.DIED
    assert cache.get("task-lock:kpi-refresh") is None
    refresh_kpis()  # Huey runs it at once in tests
    latest = TaskRun.objects.filter(name="kpi-refresh").order_by("-started_at").first()
    assert latest.outcome == TaskRun.Outcome.OK and latest.finished_at is not None
    assert cache.get("task-lock:kpi-refresh") is None  # released


def test_a_lock_held_by_another_machine_expires(db):
    other = {"host": "another-machine", "pid": 1, "token": "other"}
    cache.add("task-lock:demo", other, 1)
    assert taskruns.lock_acquire("demo", ttl=60) is None
    time.sleep(2.1)  # the database cache keeps whole seconds
    owner = taskruns.lock_acquire("demo", ttl=60)
    assert owner is not None
    taskruns.lock_release("demo", owner)
    assert cache.get("task-lock:demo") is None


def test_a_failing_run_releases_its_lock_and_the_health_page_shows_failure_then_recovery(
    client, db
):
    calls = {"n": 0}

    @taskruns.periodic_run("flaky", ttl=60)
    def flaky():
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return "ok"

    with pytest.raises(RuntimeError):
        flaky()
    assert cache.get("task-lock:flaky") is None
    failed = TaskRun.objects.get(name="flaky")
    assert failed.outcome == TaskRun.Outcome.FAILED and "database went away" in failed.error

    client.force_login(make_company_admin())
    try:
        page = client.get("/health/").content.decode()
        assert "flaky" in page and "database went away" in page
        assert flaky() == "ok"
        page = client.get("/health/").content.decode()
    finally:
        taskruns._NAMES.discard("flaky")
    row = page[page.index("flaky") :].split("</tr>")[0]
    assert "badge ok" in row


def test_health_page_lists_every_periodic_task_and_is_for_company_admins(client, estate_a):
    names = taskruns.periodic_task_names()
    assert {"kpi-refresh", "fees-monthly-bills", "fees-reminders", "tickets-overdue"} <= set(names)
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get("/health/").status_code == 403
    client.force_login(make_company_admin())
    html = client.get("/health/").content.decode()
    assert all(name in html for name in names)


def test_healthz_says_which_part_is_down(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    with override_settings(CACHES=DOWN_CACHE):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "down"
