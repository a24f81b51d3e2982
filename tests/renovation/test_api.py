"""The renovation API: the violation list KPI.md promises, applications and their steps (409
with a message, field errors with nothing saved), patrols, acceptance and refund."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from estate.localtime import today
from renovation.models import Application, Violation
from tests.factories import make_staff, make_unit
from tests.fees.invariants import assert_fee_invariants
from tests.renovation.factories import (
    make_application,
    make_renovating,
    make_violation,
    pay_deposit,
)
from tests.renovation.test_metrics import at

pytestmark = pytest.mark.django_db

VIOLATION_KPI_FIELDS = {
    "id",
    "application",
    "source",
    "found_at",
    "rectify_due_at",
    "closed_at",
    "outcome",
    "rectified_at",
}


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _body(estate, unit, **kw):
    start = today(estate) + dt.timedelta(days=2)
    body = {
        "estate": estate.code,
        "unit": unit.pk,
        "owner_name": "王业主",
        "contractor": "美家装饰",
        "contractor_person": "李工",
        "contractor_phone": "13812345678",
        "workers": 4,
        "work_types": ["painting"],
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=20)).isoformat(),
    }
    body.update(kw)
    return body


def test_violation_list_has_the_kpi_fields_and_local_date_filters(client, estate_a):
    app = make_renovating(estate_a)
    inside = make_violation(
        app,
        found_at=at("2026-10-31 23:59"),
        outcome="rectified",
        rectified_at=at("2026-11-01 08:00"),
    )
    make_violation(app, found_at=at("2026-11-01 00:00"))
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get(
        "/api/v1/violations",
        {"estate": "HY01", "found_from": "2026-10-01", "found_to": "2026-11-01"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) >= VIOLATION_KPI_FIELDS
    assert item["id"] == inside.pk and item["application"] == app.pk
    assert item["source"] == "inspection" and item["outcome"] == "rectified"
    assert item["found_at"] == "2026-10-31T23:59:00+08:00"
    assert item["rectified_at"].endswith("+08:00")
    bad = client.get(
        "/api/v1/violations",
        {"estate": "HY01", "found_from": "2026-11-01", "found_to": "2026-10-01"},
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "found_to")


def test_violation_list_paginates(client, estate_a):
    app = make_renovating(estate_a)
    for i in range(5):
        make_violation(app, found_at=at(f"2026-10-0{i + 1} 10:00"))
    client.force_login(make_staff(estate_a, "front_desk"))
    body = client.get("/api/v1/violations", {"estate": "HY01", "limit": 2, "offset": 4}).json()
    assert body["count"] == 5 and len(body["items"]) == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_violation_list_runs_a_fixed_number_of_queries(
    client, estate_a, rows, django_assert_num_queries
):
    app = make_renovating(estate_a)
    for _ in range(rows):
        make_violation(app, found_at=at("2026-10-10 10:00"))
    client.force_login(make_staff(estate_a, "manager"))
    client.get("/api/v1/violations", {"estate": "HY01"})  # warm the session and role caches
    # session, user, the user's two permission reads (company-wide admin?), memberships, the
    # estate by code, the page of rows (with estate, unit and type joined), the count
    with django_assert_num_queries(8):
        response = client.get("/api/v1/violations", {"estate": "HY01"})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_application_list_runs_a_fixed_number_of_queries(
    client, estate_a, rows, django_assert_num_queries
):
    desk = make_staff(estate_a, "front_desk")
    for _ in range(rows):
        make_application(estate_a, by=desk)
    client.force_login(desk)
    client.get("/api/v1/renovation/applications", {"estate": "HY01"})
    # session, user, two permission reads, memberships, the estate by code, the page of rows
    # (with estate and unit joined), the count
    with django_assert_num_queries(8):
        response = client.get("/api/v1/renovation/applications", {"estate": "HY01"})
    assert response.json()["count"] == rows
    assert "****" in response.json()["items"][0]["contractor_phone"]


def test_another_estates_filter_is_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "admin"))
    make_renovating(estate_b)
    for url in ("/api/v1/violations", "/api/v1/renovation/applications"):
        response = client.get(url, {"estate": "HY02"})
        assert response.status_code == 404, url
    body = client.get("/api/v1/violations").json()
    assert body["count"] == 0


def test_create_then_the_non_routine_path(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    manager = make_staff(estate_a, "manager")
    unit = make_unit(estate_a)
    client.force_login(desk)
    response = _post(
        client, "/api/v1/renovation/applications", _body(estate_a, unit, work_types=["wall_change"])
    )
    assert response.status_code == 201, response.content
    app = response.json()
    assert app["non_routine"] and app["status"] == "submitted"
    assert app["allowed_actions"] == ["edit", "check", "return", "reject", "cancel"]
    url = f"/api/v1/renovation/applications/{app['id']}/transitions"
    refused = _post(client, url, {"action": "approve"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition" and refused.json()["message"]
    assert _post(client, url, {"action": "check"}).json()["status"] == "checked"
    assert _post(client, url, {"action": "approve"}).status_code == 403
    client.force_login(manager)
    approved = _post(client, url, {"action": "approve"}).json()
    assert approved["status"] == "approved"
    assert approved["deposit"]["amount_due"] == "2000.00"
    assert approved["deposit"]["amount_paid"] == "0.00"
    started = _post(client, url, {"action": "start"})
    assert started.status_code == 409
    assert started.json()["message"] == "装修押金尚未缴纳。"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"work_types": ["painting", "moon_base"]}, "work_types"),
        ({"contractor_phone": "0101234"}, "contractor_phone"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_saved(client, estate_a, change, field):
    client.force_login(make_staff(estate_a, "front_desk"))
    response = _post(
        client, "/api/v1/renovation/applications", _body(estate_a, make_unit(estate_a), **change)
    )
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert not Application.objects.exists()


def test_end_before_start_and_a_unit_of_another_estate(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "front_desk"))
    unit = make_unit(estate_a)
    start = today(estate_a) + dt.timedelta(days=5)
    response = _post(
        client,
        "/api/v1/renovation/applications",
        _body(
            estate_a,
            unit,
            start_date=start.isoformat(),
            end_date=(start - dt.timedelta(days=1)).isoformat(),
        ),
    )
    assert (response.status_code, response.json()["field"]) == (422, "end_date")
    response = _post(
        client, "/api/v1/renovation/applications", _body(estate_a, make_unit(estate_b))
    )
    assert (response.status_code, response.json()["field"]) == (422, "unit")
    assert not Application.objects.exists()


def test_drawing_upload_checks_the_file(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    app = make_application(estate_a, by=desk)
    client.force_login(desk)
    url = f"/api/v1/renovation/applications/{app.pk}/drawings"
    ok = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7 drawing")})
    assert ok.status_code == 201 and ok.json()["kind"] == "pdf"
    bad = client.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")})
    assert (bad.status_code, bad.json()["field"]) == (422, "drawings")
    assert app.drawings.count() == 1
    # The application page links the drawing through the scoped view, never /media/.
    drawing = app.drawings.get()
    page = client.get(f"/renovation/applications/{app.pk}/").content.decode()
    link = f"/renovation/applications/{app.pk}/drawings/{drawing.pk}"
    assert link in page and "/media/" not in page
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.7 drawing"


def test_patrol_violation_close_acceptance_and_refund(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    manager = make_staff(estate_a, "manager")
    finance = make_staff(estate_a, "finance")
    app = make_renovating(estate_a, by=desk)
    base = f"/api/v1/renovation/applications/{app.pk}"
    client.force_login(desk)
    patrol = _post(
        client,
        f"{base}/inspections",
        {"notes": "楼道堆放垃圾", "violations": [{"type": "rubbish", "description": "水泥袋"}]},
    )
    assert patrol.status_code == 201 and len(patrol.json()["violations"]) == 1
    first = patrol.json()["violations"][0]
    report = _post(
        client,
        f"{base}/violations",
        {"source": "resident_report", "type": "noise", "description": "22点后电钻"},
    )
    assert report.status_code == 201 and report.json()["source"] == "resident_report"
    closed = _post(
        client, f"/api/v1/violations/{first}/close", {"outcome": "rectified", "evidence": "已清理"}
    )
    assert closed.json()["outcome"] == "rectified" and closed.json()["rectified_at"]
    second = report.json()["id"]
    assert (
        _post(
            client,
            f"/api/v1/violations/{second}/close",
            {"outcome": "not_rectified", "penalty": "300.00", "reason": "屡教不改"},
        ).status_code
        == 403
    )
    client.force_login(manager)
    bad = _post(
        client,
        f"/api/v1/violations/{second}/close",
        {"outcome": "not_rectified", "penalty": "1e400", "reason": "屡教不改"},
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "penalty")
    assert (
        _post(
            client,
            f"/api/v1/violations/{second}/close",
            {"outcome": "not_rectified", "penalty": "300.00", "reason": "屡教不改"},
        ).json()["penalty"]
        == "300.00"
    )
    accepted = _post(
        client,
        f"{base}/acceptance",
        {
            "checklist": dict.fromkeys(
                ["structure", "facade", "plumbing", "electrical", "fire", "common_areas"], True
            )
        },
    )
    assert accepted.status_code == 201 and accepted.json()["passed"]
    assert client.get(base).json()["status"] == "accepted"
    assert _post(client, f"{base}/refund", {}).status_code == 403
    client.force_login(finance)
    refund = _post(client, f"{base}/refund", {"note": ""})
    assert refund.status_code == 200
    assert (refund.json()["amount"], refund.json()["penalty"]) == ("1700.00", "300.00")
    detail = client.get(base).json()
    assert detail["status"] == "closed"
    assert (detail["deposit"]["refunded"], detail["deposit"]["withheld"]) == ("1700.00", "300.00")
    assert_fee_invariants()


def test_pdfs_through_the_api(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    app = make_renovating(estate_a, by=desk)
    violation = make_violation(app, found_at=at("2026-10-10 10:00"))
    client.force_login(desk)
    permit = client.get(f"/api/v1/renovation/applications/{app.pk}/permit.pdf")
    assert permit.status_code == 200 and permit.content.startswith(b"%PDF-")
    notice = client.get(f"/api/v1/violations/{violation.pk}/notice.pdf")
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"


def test_permit_before_approval_is_409(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    app = make_application(estate_a, by=desk)
    client.force_login(desk)
    assert client.get(f"/api/v1/renovation/applications/{app.pk}/permit.pdf").status_code == 409


def test_start_after_paying_sets_the_unit_renovating(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    app = make_application(estate_a, by=desk)
    client.force_login(desk)
    url = f"/api/v1/renovation/applications/{app.pk}/transitions"
    assert _post(client, url, {"action": "approve"}).status_code == 200
    pay_deposit(app)
    assert _post(client, url, {"action": "start"}).json()["status"] == "renovating"
    app.unit.refresh_from_db()
    assert app.unit.status == "renovating"
    assert Violation.objects.count() == 0
