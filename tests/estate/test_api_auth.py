"""Bearer tokens and staff sessions; a revoked token and no credentials get 401."""

from django.core.management import call_command
from django.test import Client

from estate.models import ApiToken
from tests.factories import make_staff, make_unit


def _token_for(user) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_token", user.username, stdout=out)
    return out.getvalue().strip()


def test_unauthenticated_call_gets_401(client, estate_a):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "Authentication required.",
        "field": None,
    }


def test_bearer_token_works_and_is_stored_hashed(client, estate_a, manager_a):
    make_unit(estate_a, number="3-2-1501")
    token = _token_for(manager_a)
    assert token.startswith("ed_") and len(token) > 40
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.get(user=manager_a).prefix == token[:10]
    response = client.get("/api/v1/units", {"q": "3-2"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [u["number"] for u in response.json()["items"]] == ["3-2-1501"]


def test_wrong_and_revoked_tokens_are_refused(client, estate_a, manager_a):
    token = _token_for(manager_a)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ed_nope").status_code == 401
    call_command("revoke_token", token[:10])
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_token_revoked_over_the_api(client, estate_a, manager_a):
    token = _token_for(manager_a)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    token_id = client.get("/api/v1/tokens", **auth).json()[0]["id"]
    other = _token_for(make_staff(estate_a, "finance"))
    other_id = ApiToken.objects.get(prefix=other[:10]).pk
    # Someone else's token is not found, and stays valid.
    assert client.post(f"/api/v1/tokens/{other_id}/revoke", **auth).status_code == 404
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    assert client.post(f"/api/v1/tokens/{token_id}/revoke", **auth).status_code == 200
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_session_auth_and_csrf_on_unsafe_methods(estate_a, manager_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager_a)
    assert browser.get("/api/v1/me").json()["roles"] == {"HY01": "manager"}
    token = _token_for(manager_a)
    token_id = ApiToken.objects.get(prefix=token[:10]).pk
    refused = browser.post(f"/api/v1/tokens/{token_id}/revoke")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    browser.get("/login/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    ok = browser.post(f"/api/v1/tokens/{token_id}/revoke", HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 200


def test_units_are_scoped_and_validated(client, estate_a, estate_b, manager_a):
    make_unit(estate_a, number="1-1-101")
    make_unit(estate_b, number="1-1-102")
    client.force_login(manager_a)
    body = client.get("/api/v1/units").json()
    assert [u["number"] for u in body["items"]] == ["1-1-101"] and body["count"] == 1
    assert client.get("/api/v1/units", {"estate": "HY02"}).status_code == 404
    bad = client.get("/api/v1/units", {"limit": 0})
    assert bad.status_code == 422 and bad.json()["field"] == "limit"
