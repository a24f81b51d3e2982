"""The staff-assessment API: a manager reads the estate's staff figures, a technician only
their own (another technician's figures or records are 404, as on the pages); each figure's
records are exactly its tickets; training sessions are listed and recorded by managers; bad
input names its field; the sessions list runs a fixed number of queries."""

import json

import pytest
import time_machine

from estate.assessment.models import TrainingSession
from tests.assessment.test_assessment import NOW, month  # noqa: F401  (the hand-built month)
from tests.factories import make_company_admin, make_estate, make_staff

FIG = "/api/v1/assessment/figures?estate=AS01&month=2026-10"
REC = "/api/v1/assessment/records?estate=AS01&month=2026-10&figure=resolutions_on_time"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@time_machine.travel(NOW, tick=False)
def test_a_manager_reads_every_persons_figures_and_records(month, client):  # noqa: F811
    estate, _desk, wang, li, t = month
    client.force_login(make_staff(estate, "manager"))
    r = client.get(FIG)
    assert r.status_code == 200, r.content
    rows = {row["user"]: row["figures"] for row in r.json()["items"]}
    assert rows[wang.pk]["resolutions_on_time"] == 2 and rows[li.pk]["resolutions_on_time"] == 1
    assert "resolutions_on_time" in {f["key"] for f in r.json()["figures"]}
    r = client.get(f"{REC}&user={wang.pk}")
    labels = [row["label"] for row in r.json()]
    assert labels == [t["w1"].number, t["w2"].number]
    assert r.json()[0]["url"] == f"/repairs/{t['w1'].pk}/"
    # A company admin sees them too.
    client.force_login(make_company_admin())
    assert client.get(f"{FIG}&user={li.pk}").json()["items"][0]["user"] == li.pk


@time_machine.travel(NOW, tick=False)
def test_a_technician_cannot_read_another_technicians_assessment(month, client):  # noqa: F811
    _estate, _desk, wang, li, t = month
    client.force_login(li)
    r = client.get(FIG)
    assert [row["user"] for row in r.json()["items"]] == [li.pk]
    assert client.get(f"{FIG}&user={wang.pk}").status_code == 404
    r = client.get(f"{REC}&user={wang.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.get(f"{REC}&user={li.pk}")
    assert [row["label"] for row in r.json()] == [t["l1"].number]
    assert client.get(REC).json() == r.json()  # without a user: one's own
    assert client.get("/api/v1/training-sessions?estate=AS01").status_code == 403
    body = {"estate": "AS01", "title": "x", "date": "2026-10-01", "trainer": "x", "passed": [li.pk]}
    assert post(client, "/api/v1/training-sessions", body).status_code == 403


def test_another_estates_staff_is_not_found(month, client):  # noqa: F811
    _estate, _desk, wang, _li, _t = month
    other = make_estate(code="AS09")
    client.force_login(make_staff(other, "manager"))
    assert client.get(FIG).status_code == 404
    assert client.get(f"{REC}&user={wang.pk}").status_code == 404
    # Its own estate, another estate's person: not found either.
    r = client.get(f"/api/v1/assessment/figures?estate=AS09&user={wang.pk}")
    assert r.status_code == 404
    r = client.get(
        f"/api/v1/assessment/records?estate=AS09&figure=resolutions_on_time&user={wang.pk}"
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("&user=1&figure=nonsense", "figure"),
        ("&user=abc&figure=resolutions_on_time", "user"),
    ],
)
def test_bad_records_queries_name_the_field(month, client, query, field):  # noqa: F811
    client.force_login(make_staff(month[0], "manager"))
    r = client.get(f"/api/v1/assessment/records?estate=AS01{query}")
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
    r = client.get("/api/v1/assessment/figures?estate=AS01&month=2026-13")
    assert r.status_code == 422 and r.json()["field"] == "month"


def test_training_sessions_listed_and_recorded(month, client):  # noqa: F811
    estate, desk, wang, li, _t = month
    client.force_login(make_staff(estate, "manager"))
    body = {
        "estate": "AS01",
        "title": "服务礼仪",
        "date": "2026-10-15",
        "trainer": "张老师",
        "passed": [wang.pk, li.pk],
        "failed": [desk.pk],
    }
    r = post(client, "/api/v1/training-sessions", body)
    assert r.status_code == 201, r.content
    assert {(a["user"], a["passed"]) for a in r.json()["attendees"]} == {
        (wang.pk, True),
        (li.pk, True),
        (desk.pk, False),
    }
    page = client.get("/api/v1/training-sessions?estate=AS01").json()
    assert page["count"] == 1 and page["items"][0]["title"] == "服务礼仪"
    outsider = make_staff(make_estate(code="AS03"), "technician")
    for change, field in [
        ({"passed": [outsider.pk]}, "passed"),
        ({"passed": [], "failed": []}, "passed"),
        ({"failed": [wang.pk]}, "failed"),
        ({"title": ""}, "title"),
        ({"date": "2026-02-30"}, "date"),
    ]:
        r = post(client, "/api/v1/training-sessions", body | change)
        assert r.status_code == 422 and r.json()["field"] == field, (change, r.json())
    assert TrainingSession.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 3])
def test_sessions_list_runs_a_fixed_number_of_queries(
    month,  # noqa: F811
    client,
    django_assert_num_queries,
    rows,
):
    estate, desk, wang, li, _t = month
    from estate.assessment import services

    manager = make_staff(estate, "manager")
    for n in range(rows):
        services.training_record(
            estate=estate,
            by=manager,
            title=f"t{n}",
            date=NOW.date(),
            trainer="x",
            passed=[wang.pk, li.pk],
        )
    client.force_login(manager)
    # session, user, user and group permissions (company admin?), memberships, the estate by
    # code, the page (sessions with their estate), the count, the attendees with their users
    with django_assert_num_queries(9):
        r = client.get("/api/v1/training-sessions?estate=AS01")
    assert r.json()["count"] == rows
