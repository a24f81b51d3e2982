"""The tickets API (repairs/api.py)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from estate.models import AccessLog
from repairs import services
from repairs.models import Ticket
from residents.services import resident_create
from tests.factories import make_estate, make_staff, make_unit
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(estate_a, client):
    user = make_staff(estate_a, "front_desk")
    client.force_login(user)
    return user


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _body(estate, **kw):
    cat = kw.pop("category", None) or make_category(estate, code="plumbing")
    return {
        "estate": estate.code,
        "kind": "repair",
        "category": "plumbing" if cat.code == "plumbing" else cat.pk,
        "priority": "normal",
        "channel": "phone",
        "description": "厨房水管漏水",
        "reporter_name": "王伟",
        "reporter_phone": "138 1234 5678",
        "unit": make_unit(estate).pk,
    } | kw


def test_create_and_read_back(client, estate_a, desk):
    response = _post(client, "/api/v1/tickets", _body(estate_a))
    assert response.status_code == 201, response.content
    t = response.json()
    assert re_number(t["number"])
    assert t["reporter_phone"] == "138****5678"
    assert t["status"] == "submitted" and t["outcome"] is None and t["overdue"] is False
    assert t["reported_at"].endswith("+08:00")
    assert [e["kind"] for e in t["history"]] == ["created"]
    assert len(t["tracking_code"]) >= 22
    detail = client.get(f"/api/v1/tickets/{t['id']}").json()
    assert detail["number"] == t["number"]


def re_number(number):
    import re

    return re.fullmatch(r"BX-HY01-\d{4}-\d{4}", number)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": 999999}, "category"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"description": "x" * 100_000}, "description"),
        ({"priority": "someday"}, "priority"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, estate_a, desk, change, field):
    response = _post(client, "/api/v1/tickets", _body(estate_a) | change)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Ticket.objects.count() == 0


def test_unit_of_another_estate_and_unknown_estate(client, estate_a, estate_b, desk):
    body = _body(estate_a)
    response = _post(client, "/api/v1/tickets", body | {"unit": make_unit(estate_b).pk})
    assert (response.status_code, response.json()["field"]) == (422, "unit")
    response = _post(client, "/api/v1/tickets", body | {"estate": "NOPE"})
    assert response.status_code == 404
    response = client.post("/api/v1/tickets", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert Ticket.objects.count() == 0


def test_refused_transition_is_a_409_body(client, estate_a, desk):
    t = make_ticket(estate_a)
    response = _post(client, f"/api/v1/tickets/{t.pk}/close", {"outcome": "solved"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition" and body["field"] == "status"
    assert t.number in body["message"]


def test_transitions_over_the_api(client, estate_a, desk):
    tech = make_staff(estate_a, "technician")
    t = make_ticket(estate_a)
    base = f"/api/v1/tickets/{t.pk}"
    assert _post(client, f"{base}/accept", {}).json()["status"] == "accepted"
    r = _post(client, f"{base}/dispatch", {"assignee": tech.pk})
    assert (r.json()["status"], r.json()["assignee"]) == ("dispatched", tech.username)
    assert _post(client, f"{base}/hold", {"reason": "业主不在"}).json()["status"] == "on_hold"
    assert _post(client, f"{base}/resume", {}).json()["status"] == "dispatched"
    assert _post(client, f"{base}/start", {}).json()["status"] == "in_progress"
    assert _post(client, f"{base}/charge", {"amount": "80.5"}).json()["service_charge"] == "80.50"
    assert _post(client, f"{base}/charge", {"amount": "1.234"}).json()["field"] == "amount"
    assert _post(client, f"{base}/resolve", {"note": "换了阀门"}).json()["status"] == "resolved"
    r = _post(client, f"{base}/return-visits", {"reached": True, "solved": True, "rating": 5})
    assert r.status_code == 201 and r.json()["rating"] == 5
    r = _post(client, f"{base}/reopen", {"reason": "又坏了"})
    assert (r.json()["status"], r.json()["reopen_count"]) == ("dispatched", 1)
    r = _post(client, f"{base}/cancel", {"reason": "invalid", "note": "误报"})
    assert r.json()["status"] == "cancelled"
    kinds = [e["kind"] for e in client.get(f"{base}/history").json()]
    assert kinds[0] == "created" and kinds[-1] == "cancelled" and len(kinds) == 11


def test_dispatch_to_a_stranger_is_refused(client, estate_a, estate_b, desk):
    t = make_ticket(estate_a)
    stranger = make_staff(estate_b, "technician")
    r = _post(client, f"/api/v1/tickets/{t.pk}/dispatch", {"assignee": stranger.pk})
    assert (r.status_code, r.json()["field"]) == (422, "assignee")


def test_list_filters_and_kpi_fields(client, estate_a, desk):
    cat = make_category(estate_a, response=30, resolve=60)
    october = make_ticket(estate_a, category=cat, now=at("2026-10-31 23:59"))
    make_ticket(estate_a, category=cat, now=at("2026-11-01 00:00"))
    make_ticket(estate_a, kind="complaint", now=at("2026-10-15 09:00"))
    r = client.get(
        "/api/v1/tickets",
        {
            "estate": "HY01",
            "kind": "repair",
            "reported_from": "2026-10-01",
            "reported_to": "2026-11-01",
        },
    ).json()
    assert r["count"] == 1 and r["items"][0]["number"] == october.number
    item = r["items"][0]
    for field in [
        "id",
        "number",
        "estate",
        "kind",
        "status",
        "priority",
        "category",
        "reported_at",
        "first_response_at",
        "response_due_at",
        "resolved_at",
        "resolve_due_at",
        "closed_at",
        "outcome",
        "reopen_count",
        "return_visited_at",
        "return_visit_rating",
    ]:
        assert field in item
    assert item["reported_at"] == "2026-10-31T23:59:00+08:00"
    assert client.get("/api/v1/tickets", {"overdue": "true"}).json()["count"] == 3
    assert client.get("/api/v1/tickets", {"status": "accepted"}).json()["count"] == 0
    assert client.get("/api/v1/tickets", {"kind": "nonsense"}).status_code == 422
    assert client.get("/api/v1/tickets", {"q": october.number}).json()["count"] == 1


def test_list_runs_the_same_queries_for_1_and_30_rows(client, estate_a, desk):
    tech = make_staff(estate_a, "technician")
    cat = make_category(estate_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/tickets", {"estate": "HY01", "limit": 50}).status_code == 200
        return len(ctx.captured_queries)

    t = make_ticket(estate_a, category=cat)
    Ticket.objects.filter(pk=t.pk).update(assignee=tech)
    one = count()
    for _ in range(29):
        make_ticket(estate_a, category=cat, unit=make_unit(estate_a))
    Ticket.objects.update(assignee=tech)
    assert count() == one
    # session, user, permissions and roles; the page's ids, its rows (a deferred join), the count
    assert one <= 9


def test_other_roles_and_estates(client, estate_a, estate_b):
    t = make_ticket(estate_a)
    client.force_login(make_staff(estate_a, "finance"))
    assert client.get("/api/v1/tickets").json()["count"] == 0
    assert client.get(f"/api/v1/tickets/{t.pk}").status_code == 404
    client.force_login(make_staff(estate_b, "manager"))
    assert client.get("/api/v1/tickets", {"estate": "HY01"}).status_code == 404
    tech = make_staff(estate_a, "technician")
    client.force_login(tech)
    # Not dispatched to them: not theirs to see (404); once dispatched, the role decides (403).
    assert client.get(f"/api/v1/tickets/{t.pk}/reporter-phone").status_code == 404
    services.ticket_dispatch(ticket=t, by=make_staff(estate_a, "front_desk"), assignee=tech)
    assert client.get(f"/api/v1/tickets/{t.pk}/reporter-phone").status_code == 403
    r = _post(client, f"/api/v1/tickets/{t.pk}/cancel", {"reason": "duplicate"})
    assert r.status_code == 403


def test_unmasked_phone_is_logged(client, estate_a, desk):
    t = make_ticket(estate_a)
    r = client.get(f"/api/v1/tickets/{t.pk}/reporter-phone")
    assert r.json() == {"reporter_phone": "13812345678"}
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.field) == (desk, str(t.pk), "reporter_phone")


def test_photo_upload(client, estate_a, desk):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    t = make_ticket(estate_a)
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="PNG")
    ok = SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")
    r = client.post(f"/api/v1/tickets/{t.pk}/photos", {"photo": ok})
    assert r.status_code == 201 and len(r.json()["photos"]) == 1
    # The URL is the estate-scoped photo view (never /media/), and it serves the photo.
    url = r.json()["photos"][0]["url"]
    assert url.startswith(f"/repairs/{t.pk}/photos/") and "/media/" not in url
    assert client.get(url).status_code == 200

    bad = SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", content_type="image/png")
    r = client.post(f"/api/v1/tickets/{t.pk}/photos", {"photo": bad})
    assert (r.status_code, r.json()["field"]) == (422, "photos")
    client.force_login(make_staff(make_estate(code="PH02"), "manager"))
    assert client.get(url).status_code == 404


def test_calendar_categories_templates(client, estate_a, manager_a, desk):
    r = client.get("/api/v1/ticket-calendar", {"estate": "HY01", "year": 2031}).json()
    assert r["covered"] is False and "2031" in r["warning"]
    assert (
        _post(
            client, "/api/v1/ticket-calendar/import", {"estate": "HY01", "year": 2026}
        ).status_code
        == 403
    )
    client.force_login(manager_a)
    r = _post(client, "/api/v1/ticket-calendar/import", {"estate": "HY01", "year": 2026}).json()
    assert r["covered"] and r["source"] == "chinese_calendar" and r["warning"] is None
    assert any(d["date"] == "2026-10-10" and d["kind"] == "workday" for d in r["days"])
    r = _post(
        client,
        "/api/v1/ticket-calendar/days",
        {"estate": "HY01", "date": "2026-06-01", "kind": "holiday", "name": "停水"},
    ).json()
    assert any(d["date"] == "2026-06-01" and d["source"] == "manual" for d in r["days"])
    minutes = {
        f"{w}_minutes_{p}": m
        for w, m in (("response", 30), ("resolve", 240))
        for p in ("normal", "urgent", "emergency")
    }
    r = _post(
        client,
        "/api/v1/ticket-categories",
        {"estate": "HY01", "code": "gas", "kind": "repair", "name": "燃气", "minutes": minutes},
    )
    assert r.status_code == 201
    cat_id = r.json()["id"]
    bad = minutes | {"resolve_minutes_urgent": 10}
    r = client.put(
        f"/api/v1/ticket-categories/{cat_id}",
        data=json.dumps(
            {"estate": "HY01", "code": "gas", "kind": "repair", "name": "燃气", "minutes": bad}
        ),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["field"]) == (422, "resolve_minutes_urgent")
    r = client.get(
        "/api/v1/ticket-deadlines",
        {"estate": "HY01", "category": cat_id, "at": "2026-06-12T17:00:00+08:00"},
    ).json()
    assert r["response_due_at"] == "2026-06-12T17:30:00+08:00"
    assert r["resolve_due_at"] == "2026-06-15T12:00:00+08:00"
    r = _post(
        client,
        "/api/v1/reply-templates",
        {"estate": "HY01", "situation": "accept", "title": "受理", "text": "单号{number}，{x}"},
    )
    tpl = r.json()["id"]
    t = make_ticket(estate_a)
    r = client.get(f"/api/v1/reply-templates/{tpl}/render", {"ticket_id": t.pk}).json()
    assert r["text"] == f"单号{t.number}，{{x}}"
    assert client.delete(f"/api/v1/reply-templates/{tpl}").status_code == 204


def test_list_items_carry_on_hold_since(client, estate_a, desk):
    """KPI.md: every ticket rate can be recomputed from the list, tickets on hold included."""
    held = make_ticket(estate_a, now=at("2026-10-15 09:00"))
    services.ticket_hold(ticket=held, by=desk, reason="等业主", now=at("2026-10-15 10:00"))
    make_ticket(estate_a, now=at("2026-10-16 09:00"))
    items = client.get("/api/v1/tickets", {"estate": "HY01"}).json()["items"]
    by_number = {i["number"]: i for i in items}
    assert by_number[held.number]["on_hold_since"] == "2026-10-15T10:00:00+08:00"
    assert [i["on_hold_since"] for i in items if i["number"] != held.number] == [None]


def test_unit_by_its_number_and_the_residents_phone_by_default(client, estate_a, desk):
    unit = make_unit(estate_a, "3-2-1501")
    resident = resident_create(estate=estate_a, name="赵六", phone="13700005555", units=[unit])
    body = _body(estate_a, unit=None, unit_number="3-2-1501", resident=resident.pk)
    del body["reporter_phone"]
    response = _post(client, "/api/v1/tickets", body)
    assert response.status_code == 201, response.content
    t = response.json()
    assert (t["unit"], t["reporter_phone"]) == ("3-2-1501", "137****5555")
    assert Ticket.objects.get(pk=t["id"]).reporter_phone == "13700005555"


def test_an_unknown_unit_number_is_a_field_error(client, estate_a, estate_b, desk):
    make_unit(estate_b, "9-9-999")  # another estate's unit is unknown here
    body = _body(estate_a, unit=None)
    for number in ["9-9-999", "nope"]:
        r = _post(client, "/api/v1/tickets", body | {"unit_number": number})
        assert (r.status_code, r.json()["field"]) == (422, "unit_number")
    assert Ticket.objects.count() == 0


def test_no_phone_and_no_resident_is_a_field_error(client, estate_a, desk):
    body = _body(estate_a)
    del body["reporter_phone"]
    r = _post(client, "/api/v1/tickets", body)
    assert (r.status_code, r.json()["field"]) == (422, "reporter_phone")
    r = _post(client, "/api/v1/tickets", body | {"reporter_phone": "", "resident": 999_999})
    assert (r.status_code, r.json()["field"]) == (422, "resident")


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"unit": None, "common_area": "1号楼大堂", "reporter_phone": "0571-88886666"},
        {"priority": "emergency", "preferred_visit_time": "in a week, naive"},
        {"kind": "complaint", "major_complaint": True, "category": "complaint"},
    ],
)
def test_the_creations_answer_is_what_a_read_back_shows(client, estate_a, desk, change):
    """The answer is built from what was written, not read back: it must show exactly what
    the ticket's own page of the API shows afterwards (deadlines, zone, masked phone,
    history with its author, no photos or visits)."""
    if change.get("category") == "complaint":
        make_category(estate_a, "complaint", code="complaint")
    if change.get("preferred_visit_time"):  # a local time without offset: the estate's zone
        when = timezone.localtime(timezone.now() + dt.timedelta(days=7), estate_a.tz)
        change = change | {"preferred_visit_time": when.strftime("%Y-%m-%dT%H:%M:%S")}
    response = _post(client, "/api/v1/tickets", _body(estate_a) | change)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer == client.get(f"/api/v1/tickets/{answer['id']}").json()
    assert answer["history"][0]["by"] == desk.get_username()


def test_the_creation_reads_nothing_back(client, estate_a, desk):
    """No read of the new ticket, its history, photos or visits after it is written."""
    body = _body(estate_a)
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, "/api/v1/tickets", body)
    assert response.status_code == 201
    tables = ("repairs_ticketevent", "repairs_ticketphoto", "repairs_returnvisit")
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in selects if any(f'"{t}"' in sql for t in tables)]
    assert not [sql for sql in selects if 'FROM "repairs_ticket"' in sql]


def test_a_creation_reads_two_rows_and_writes_three(estate_a, desk):
    """Pinned, with a bearer token as the desk's programs send it: the estate and the
    category are read (the unit too, when one is given); the number, the ticket and its
    history are written; nothing else."""
    from django.test import Client

    from estate.services import api_token_create
    from tests.statements import statements

    _record, token = api_token_create(user=desk, name="desk program")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = _body(estate_a, unit=None, common_area="1号楼大堂")
    assert _post(client, "/api/v1/tickets", body).status_code == 201  # warm: roles, calendar
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, "/api/v1/tickets", body)
    assert response.status_code == 201
    assert statements(queries.captured_queries) == [
        ("SELECT", "estate_estate"),
        ("SELECT", "repairs_category"),
        ("INSERT", "estate_sequence"),
        ("INSERT", "repairs_ticket"),
        ("INSERT", "repairs_ticketevent"),
    ]
