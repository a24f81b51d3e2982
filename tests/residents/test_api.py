"""The residents API: masked lists and detail, the logged ?reveal= for managers, 403 for the
front desk, create/update with field errors and nothing saved."""

import pytest

from estate.models import AccessLog
from residents.models import Resident, ResidentChange
from tests.factories import make_staff, make_unit
from tests.residents.factories import ID_1, make_resident

PHONE = "13812345678"


@pytest.fixture
def file_a(estate_a):
    return make_resident(estate_a, phone=PHONE, id_number=ID_1, units=[make_unit(estate_a)])


def _login(client, estate, role):
    user = make_staff(estate, role)
    client.force_login(user)
    return user


def test_list_search_and_detail_are_masked_for_the_front_desk(client, estate_a, file_a):
    _login(client, estate_a, "front_desk")
    body = client.get("/api/v1/residents", {"estate": "HY01"}).json()
    assert body["count"] == 1 and body["items"][0]["phone"] == "138****5678"
    assert body["items"][0]["id_number"] == "110***********002X"
    assert client.get("/api/v1/residents", {"estate": "HY01", "q": "5678"}).json()["count"] == 1
    detail = client.get(f"/api/v1/residents/{file_a.pk}")
    assert detail.status_code == 200 and PHONE not in detail.content.decode()
    assert ID_1 not in detail.content.decode()
    refused = client.get(f"/api/v1/residents/{file_a.pk}", {"reveal": "phone"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not AccessLog.objects.exists()


def test_manager_reveal_is_logged(client, estate_a, file_a):
    manager = _login(client, estate_a, "manager")
    body = client.get(f"/api/v1/residents/{file_a.pk}", {"reveal": "id_number"}).json()
    assert body["revealed"] == {"id_number": ID_1} and body["phone"] == "138****5678"
    log = AccessLog.objects.get()
    assert (log.user, log.field, log.object_id) == (manager, "id_number", str(file_a.pk))
    assert log.path.startswith(f"/api/v1/residents/{file_a.pk}")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "1381234567"}, "phone"),
        ({"id_number": "110101199003071234"}, "id_number"),
        ({"unit_ids": "OTHER"}, "units"),
    ],
)
def test_create_refuses_bad_input_with_its_field(client, estate_a, estate_b, body, field):
    _login(client, estate_a, "front_desk")
    if body.get("unit_ids") == "OTHER":
        body = {"unit_ids": [make_unit(estate_b).pk]}
    payload = {"estate": "HY01", "name": "李娜", "phone": PHONE} | body
    response = client.post("/api/v1/residents", payload, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == field
    assert not Resident.objects.exists()


def test_create_and_update(client, estate_a):
    _login(client, estate_a, "front_desk")
    unit = make_unit(estate_a)
    created = client.post(
        "/api/v1/residents",
        {
            "estate": "HY01",
            "name": "李娜",
            "phone": PHONE,
            "unit_ids": [unit.pk],
            "primary": True,
            "vehicles": ["沪A12345 B2-018"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["units"] == [unit.number] and created.json()["phone"] == "138****5678"
    updated = client.patch(
        f"/api/v1/residents/{rid}", {"notes": "新备注"}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["notes"] == "新备注"
    assert Resident.objects.get().phone == PHONE
    assert ResidentChange.objects.filter(kind="updated", field="notes").count() == 1


def test_other_estate_is_404(client, estate_a, estate_b):
    _login(client, estate_a, "admin")
    assert client.get("/api/v1/residents", {"estate": "HY02"}).status_code == 404
    search = client.post(
        "/api/v1/residents/search", {"estate": "HY02", "q": "王"}, content_type="application/json"
    )
    assert search.status_code == 404
    create = client.post(
        "/api/v1/residents",
        {"estate": "HY02", "name": "李娜", "phone": PHONE},
        content_type="application/json",
    )
    assert create.status_code == 404 and not Resident.objects.exists()


@pytest.mark.parametrize("rows", [1, 30])
def test_list_runs_a_fixed_number_of_queries(client, estate_a, django_assert_num_queries, rows):
    for i in range(rows):
        make_resident(estate_a, name=f"住户{i}", units=[make_unit(estate_a)])
    _login(client, estate_a, "front_desk")
    client.get("/api/v1/residents", {"estate": "HY01"})
    # 6 for authentication and scoping (session, user, memberships, company-admin check,
    # estate by code); then rows (with their estate), current units, count
    with django_assert_num_queries(9):
        client.get("/api/v1/residents", {"estate": "HY01"})


def test_search_by_full_phone_is_a_post(client, estate_a, file_a):
    _login(client, estate_a, "front_desk")
    # In a URL a full number is not searched (the whole list comes back)...
    make_resident(estate_a, name="李娜")
    assert client.get("/api/v1/residents", {"estate": "HY01", "q": PHONE}).json()["count"] == 2
    found = client.post(
        "/api/v1/residents/search",
        {"estate": "HY01", "q": PHONE},
        content_type="application/json",
    ).json()
    assert found["count"] == 1 and found["items"][0]["phone"] == "138****5678"
    none = client.post(
        "/api/v1/residents/search",
        {"estate": "HY01", "q": "13900000000"},
        content_type="application/json",
    ).json()
    assert none["count"] == 0
