"""The patrols API: checklists, planning a round, recording a round's results (a failed item
opens its rectification ticket, opened by the one who recorded it), the rounds list (a
manager: all; a walker: their own); bad input names its field and saves nothing; the rounds
list runs a fixed number of queries."""

import json

import pytest
import time_machine

from repairs.models import Ticket
from repairs.patrols.models import Checklist, Finding, Round
from tests.factories import make_estate, make_staff
from tests.patrols.factories import make_checklist, make_round
from tests.repairs.factories import at, make_category

NOW = at("2026-10-05 09:00")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def manager(client, db):
    estate = make_estate(code="PP01")
    user = make_staff(estate, "manager")
    client.force_login(user)
    return estate, user


@time_machine.travel(NOW, tick=False)
def test_checklist_round_results_and_rectification(client, manager):
    estate, boss = manager
    category = make_category(estate, "rectification", resolve=24 * 60)
    body = {
        "estate": "PP01",
        "name": "保洁巡查",
        "area": "cleaning",
        "category": category.pk,
        "items": ["楼道地面清洁", "垃圾桶已清运"],
    }
    r = post(client, "/api/v1/patrol-checklists", body)
    assert r.status_code == 201, r.content
    checklist = r.json()
    assert [i["text"] for i in checklist["items"]] == ["楼道地面清洁", "垃圾桶已清运"]
    assert client.get("/api/v1/patrol-checklists?estate=PP01").json()[0]["id"] == checklist["id"]

    tech = make_staff(estate, "technician")
    plan = {
        "estate": "PP01",
        "checklist": checklist["id"],
        "inspector": tech.pk,
        "inspector_phone": "13600001111",
        "planned_for": "2026-10-05T10:00:00",
    }
    r = post(client, "/api/v1/patrol-rounds", plan)
    assert r.status_code == 201, r.content
    assert r.json()["planned_for"] == "2026-10-05T10:00:00+08:00"
    round_id = r.json()["id"]
    first, second = (i["id"] for i in checklist["items"])

    client.force_login(tech)
    results = {
        "results": [
            {"item": first, "passed": False, "note": "三楼有垃圾", "location": "3号楼"},
            {"item": second, "passed": True},
        ]
    }
    r = post(client, f"/api/v1/patrol-rounds/{round_id}/results", results)
    assert r.status_code == 200, r.content
    detail = r.json()
    assert detail["status"] == "done"
    failed = detail["items"][0]["finding"]
    assert failed["passed"] is False and failed["ticket_number"].startswith("ZG-")
    assert detail["items"][1]["finding"]["ticket"] is None
    ticket = Ticket.objects.get()
    assert ticket.kind == "rectification" and ticket.created_by == tech
    assert ticket.resolve_due_at == NOW + __import__("datetime").timedelta(days=1)
    again = post(client, f"/api/v1/patrol-rounds/{round_id}/results", results)
    assert again.status_code == 409 and Ticket.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_walker_lists_only_their_own_rounds_a_manager_all(client, manager):
    estate, boss = manager
    checklist = make_checklist(estate, manager=boss)
    mine = make_round(estate, checklist=checklist, manager=boss)
    theirs = make_round(estate, checklist=checklist, manager=boss)
    assert client.get("/api/v1/patrol-rounds?estate=PP01").json()["count"] == 2
    r = client.get(f"/api/v1/patrol-rounds?estate=PP01&inspector={theirs.inspector_id}")
    assert [x["id"] for x in r.json()["items"]] == [theirs.pk]
    client.force_login(mine.inspector)
    r = client.get("/api/v1/patrol-rounds?estate=PP01")
    assert [x["id"] for x in r.json()["items"]] == [mine.pk]
    r = client.get(f"/api/v1/patrol-rounds?estate=PP01&inspector={theirs.inspector_id}")
    assert r.status_code == 403
    assert client.get(f"/api/v1/patrol-rounds/{theirs.pk}").status_code == 403
    item = theirs.checklist.items.first().pk
    r = post(
        client,
        f"/api/v1/patrol-rounds/{theirs.pk}/results",
        {"results": [{"item": item, "passed": True}]},
    )
    assert r.status_code == 403 and not Finding.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_bad_results_name_the_result_and_save_nothing(client, manager):
    estate, boss = manager
    round_ = make_round(estate, manager=boss)
    first, second = (i.pk for i in round_.checklist.items.all())
    url = f"/api/v1/patrol-rounds/{round_.pk}/results"
    # The second result fails without saying what is wrong: the first is not kept either.
    body = {"results": [{"item": first, "passed": True}, {"item": second, "passed": False}]}
    r = post(client, url, body)
    assert r.status_code == 422 and r.json()["field"] == "results.1.note", r.json()
    r = post(client, url, {"results": [{"item": 999999, "passed": True}]})
    assert r.status_code == 422 and r.json()["field"] == "results.0.item"
    r = post(client, url, {"results": []})
    assert r.status_code == 422 and r.json()["field"] == "results"
    r = post(client, url, {"results": [{"item": first, "passed": "perhaps"}]})
    assert r.status_code == 422 and r.json()["field"].startswith("results.0")
    assert not Finding.objects.exists() and not Ticket.objects.exists()
    assert Round.objects.get().status == "planned"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"planned_for": "2020-01-01T09:00:00"}, "planned_for"),
        ({"inspector_phone": "123"}, "inspector_phone"),
        ({"inspector": 999999}, "inspector"),
        ({"checklist": 999999}, "checklist"),
        ({"planned_for": "tomorrow"}, "planned_for"),
    ],
)
def test_bad_plans_name_the_field(client, manager, change, field):
    estate, boss = manager
    checklist = make_checklist(estate, manager=boss)
    body = {
        "estate": "PP01",
        "checklist": checklist.pk,
        "inspector": make_staff(estate, "technician").pk,
        "inspector_phone": "13600001111",
        "planned_for": "2026-10-06T09:00:00",
    } | change
    r = post(client, "/api/v1/patrol-rounds", body)
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
    assert not Round.objects.exists()


def test_bad_checklists_name_the_field(client, manager):
    estate, _boss = manager
    repair = make_category(estate, "repair")
    body = {"estate": "PP01", "name": "x", "area": "cleaning", "items": ["a"]}
    r = post(client, "/api/v1/patrol-checklists", body | {"category": repair.pk})
    assert r.status_code == 422 and r.json()["field"] == "category"
    rect = make_category(estate, "rectification")
    r = post(client, "/api/v1/patrol-checklists", body | {"category": rect.pk, "items": [" "]})
    assert r.status_code == 422 and r.json()["field"] == "items"
    r = post(client, "/api/v1/patrol-checklists", body | {"category": rect.pk, "area": "moon"})
    assert r.status_code == 422 and r.json()["field"] == "area"
    assert not Checklist.objects.exists()


def test_another_estates_checklist_or_category_is_refused(client, manager):
    estate, boss = manager
    other = make_estate(code="PP02")
    theirs = make_checklist(other)
    r = client.get(f"/api/v1/patrol-rounds?estate=PP01&checklist={theirs.pk}")
    assert r.status_code == 404
    body = {
        "estate": "PP01",
        "checklist": theirs.pk,
        "inspector": make_staff(estate, "technician").pk,
        "inspector_phone": "13600001111",
        "planned_for": "2026-10-06T09:00:00",
    }
    assert post(client, "/api/v1/patrol-rounds", body).json()["field"] == "checklist"
    outsider = make_staff(other, "technician")
    body |= {"checklist": make_checklist(estate, manager=boss).pk, "inspector": outsider.pk}
    assert post(client, "/api/v1/patrol-rounds", body).json()["field"] in (
        "inspector",
        "planned_for",
    )


@pytest.mark.parametrize("rows", [1, 4])
def test_rounds_list_runs_a_fixed_number_of_queries(
    client, manager, django_assert_num_queries, rows
):
    estate, boss = manager
    checklist = make_checklist(estate, manager=boss)
    for _n in range(rows):
        make_round(estate, checklist=checklist, manager=boss)
    # session, user, user and group permissions (company admin?), memberships (read once for
    # both role checks), the estate by code, the page (rounds with estate, checklist and
    # inspector joined), the count
    with django_assert_num_queries(8):
        r = client.get("/api/v1/patrol-rounds?estate=PP01&limit=3")
    assert r.json()["count"] == rows and len(r.json()["items"]) == min(rows, 3)
