"""The renovation pages: the application form (refusals come back filled in, nothing saved),
the review queue, the application page's steps (from workflow.allowed_actions), the board and
the violation list with its filters."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from estate.localtime import today
from renovation import services
from renovation.models import Application, Violation
from tests.factories import make_staff, make_unit
from tests.renovation.factories import make_application, make_renovating, make_violation
from tests.renovation.test_metrics import at

pytestmark = pytest.mark.django_db


def _form(estate, unit, **kw) -> dict:
    start = today(estate) + dt.timedelta(days=3)
    data = {
        "estate": estate.code,
        "unit": unit.number,
        "owner_name": "王业主",
        "contractor": "美家装饰",
        "contractor_person": "李工",
        "contractor_phone": "13812345678",
        "workers": "3",
        "work_types": ["painting"],
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=10)).isoformat(),
    }
    data.update(kw)
    return data


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


def test_pages_need_a_login(client, estate_a):
    for name in ("renovation:board", "renovation:applications", "renovation:violations"):
        response = client.get(reverse(name), {"estate": "HY01"})
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_application_form_takes_an_application(client, estate_a, desk):
    unit = make_unit(estate_a)
    client.force_login(desk)
    url = reverse("renovation:application_new")
    assert client.get(url, {"estate": "HY01"}).status_code == 200
    response = client.post(
        url,
        {**_form(estate_a, unit), "drawings": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x")},
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("renovation:application", args=[app.pk])
    assert app.drawings.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"work_types": ["painting", "moon_base"]}, "work_types"),
        ({"contractor_phone": "123"}, "contractor_phone"),
        ({"unit": "9-9-9999"}, "unit"),
        ("end_before_start", "end_date"),
        ("bad_drawing", "drawings"),
    ],
)
def test_refused_form_comes_back_filled_in_with_the_error_by_its_field(
    client, estate_a, desk, change, field
):
    unit = make_unit(estate_a)
    data = _form(estate_a, unit)
    if change == "end_before_start":
        data["end_date"] = (today(estate_a) + dt.timedelta(days=1)).isoformat()
    elif change == "bad_drawing":
        data["drawings"] = SimpleUploadedFile("plan.pdf", b"GIF? no, nothing")
    else:
        data.update(change)
    client.force_login(desk)
    response = client.post(reverse("renovation:application_new"), data)
    assert response.status_code == 422
    assert not Application.objects.exists()
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    body = response.content.decode()
    assert 'value="美家装饰"' in body and f'id="id_{field}_error"' in body


def test_a_unit_of_another_estate_is_not_found_by_its_number(client, estate_a, estate_b, desk):
    other = make_unit(estate_b, "7-1-0701")
    client.force_login(desk)
    response = client.post(reverse("renovation:application_new"), _form(estate_a, other))
    assert response.status_code == 422 and response.context["form"].errors["unit"]
    assert not Application.objects.exists()


def test_review_queue_and_steps_follow_the_table(client, estate_a, desk):
    manager = make_staff(estate_a, "manager")
    routine = make_application(estate_a, by=desk)
    non_routine = make_application(estate_a, by=desk, work_types=["wall_change"])
    client.force_login(desk)
    queue = client.get(reverse("renovation:applications"), {"estate": "HY01", "status": "queue"})
    assert queue.status_code == 200
    assert routine.number in queue.content.decode() and non_routine.number in queue.content.decode()

    page = client.get(reverse("renovation:application", args=[non_routine.pk]))
    steps = [a for a, _label in page.context["steps"]]
    assert steps == ["check", "return", "reject", "cancel"]  # no "approve" for the desk
    step = reverse("renovation:application_transition", args=[non_routine.pk])
    refused = client.post(step, {"action": "approve"})
    assert refused.status_code == 409
    assert "经理审核" in refused.content.decode()
    assert client.post(step, {"action": "check"}).status_code == 302
    assert client.post(step, {"action": "approve"}).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("renovation:application", args=[non_routine.pk]))
    assert "approve" in [a for a, _l in page.context["steps"]]
    assert client.post(step, {"action": "approve"}).status_code == 302
    non_routine.refresh_from_db()
    assert non_routine.status == "approved"
    # The history reads in the page's language, not as stored codes.
    history = client.get(reverse("renovation:application", args=[non_routine.pk])).content.decode()
    history = history[history.index('id="history"') :].split("</ol>")[0]
    assert "提交" in history and "批准" in history
    assert "approve" not in history and "submitted" not in history
    permit = client.get(reverse("renovation:permit_pdf", args=[non_routine.pk]))
    assert permit["Content-Type"] == "application/pdf"


def test_patrol_violation_and_close_from_the_application_page(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    client.force_login(desk)
    response = client.post(
        reverse("renovation:inspection_create", args=[app.pk]),
        {"notes": "楼道有垃圾", "violation_type": "rubbish", "violation_description": "水泥袋"},
    )
    assert response.status_code == 302
    violation = Violation.objects.get()
    refused = client.post(
        reverse("renovation:violation_close", args=[violation.pk]), {"outcome": "rectified"}
    )
    assert refused.status_code == 422 and "evidence" in refused.context["close_form"].errors
    done = client.post(
        reverse("renovation:violation_close", args=[violation.pk]),
        {"outcome": "rectified", "evidence": "已清理"},
    )
    assert done.status_code == 302
    violation.refresh_from_db()
    assert violation.outcome == "rectified"
    empty = client.post(reverse("renovation:inspection_create", args=[app.pk]), {"notes": ""})
    assert empty.status_code == 422


def test_board_shows_days_left_overdue_and_units_not_patrolled(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    Application.objects.filter(pk=app.pk).update(started_at=app.started_at - dt.timedelta(days=9))
    make_violation(app, found_at=at("2026-10-10 10:00"), due_at=at("2026-10-11 10:00"))
    client.force_login(desk)
    response = client.get(reverse("renovation:board"), {"estate": "HY01"})
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row.overdue_violations == 1 and row.open_violations == 1 and row.needs_patrol
    assert response.context["needs_patrol"] == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_violation_list_runs_a_fixed_number_of_queries(
    client, estate_a, rows, django_assert_num_queries
):
    manager = make_staff(estate_a, "manager")
    app = make_renovating(estate_a)
    for _ in range(rows):
        make_violation(app, found_at=at("2026-10-10 10:00"))
    client.force_login(manager)
    url = reverse("renovation:violations")
    client.get(url, {"estate": "HY01"})
    # session, user, two permission reads, memberships, the estate by code, the count, the page
    # of rows (estate, unit and type joined); the base page's estate switcher, unread notices
    # and current estate
    with django_assert_num_queries(11):
        response = client.get(url, {"estate": "HY01"})
    assert response.context["page"].count == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_application_list_and_board_run_a_fixed_number_of_queries(
    client, estate_a, rows, django_assert_num_queries
):
    desk = make_staff(estate_a, "front_desk")
    for _ in range(rows):
        make_renovating(estate_a, by=desk)
    client.force_login(desk)
    # session, user, two permission reads, memberships, the estate by code; then the list's
    # counts per status and its page of rows, or the board's rules and its one query of rows
    # with violation counts; the base page's estate switcher, unread notices, current estate
    for name, expected in (("renovation:applications", 11), ("renovation:board", 11)):
        client.get(reverse(name), {"estate": "HY01"})
        with django_assert_num_queries(expected):
            client.get(reverse(name), {"estate": "HY01"})


def test_violation_filters(client, estate_a):
    app = make_renovating(estate_a)
    make_violation(app, found_at=at("2026-10-10 10:00"), source="resident_report")
    make_violation(
        app,
        found_at=at("2026-10-12 10:00"),
        outcome="rectified",
        rectified_at=at("2026-10-12 12:00"),
    )
    client.force_login(make_staff(estate_a, "manager"))
    url = reverse("renovation:violations")
    count = lambda **q: client.get(url, {"estate": "HY01", **q}).context["page"].count  # noqa: E731
    assert count() == 2
    assert count(source="resident_report") == 1
    assert count(state="closed") == 1
    assert count(state="overdue") == 1
    assert count(found_from="2026-10-11", found_to="2026-10-13") == 1


def test_another_estates_code_is_404_on_every_page(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "admin"))
    for name in (
        "renovation:board",
        "renovation:applications",
        "renovation:violations",
        "renovation:application_new",
    ):
        assert client.get(reverse(name), {"estate": "HY02"}).status_code == 404, name


def test_technician_cannot_open_the_application_form(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))
    response = client.get(reverse("renovation:application_new"), {"estate": "HY01"})
    assert response.status_code == 403


def test_finance_refunds_from_the_page(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    services.acceptance_record(
        application=app, checklist=dict.fromkeys(services.ACCEPTANCE_ITEMS, True), by=desk
    )
    client.force_login(desk)
    assert client.post(reverse("renovation:refund", args=[app.pk])).status_code == 403
    client.force_login(make_staff(estate_a, "finance"))
    page = client.get(reverse("renovation:application", args=[app.pk]))
    assert "refund" in page.context["actions"]
    assert client.post(reverse("renovation:refund", args=[app.pk])).status_code == 302
    app.refresh_from_db()
    assert app.status == "closed"
