"""Bearer tokens are answered from the shared cache, and every change that matters to the
answer is seen by the very next request (estate/tokens.py)."""

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from estate import tokens
from estate.models import ApiToken, Membership
from estate.services import api_token_create, api_token_revoke
from tests.factories import make_staff


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _cached(token: str):
    return cache.get(tokens.cache_key(tokens.token_hash(token)))


def test_a_token_is_answered_from_the_cache_without_its_password_hash(client, estate_a):
    user = make_staff(estate_a, "manager")
    _record, token = api_token_create(user=user)
    assert client.get("/api/v1/me", **_auth(token)).status_code == 200
    entry = _cached(token)
    assert isinstance(entry, dict) and entry["roles"] == {estate_a.pk: "manager"}
    assert "password" not in entry["user"].__dict__
    assert client.get("/api/v1/me", **_auth(token)).json()["roles"] == {"HY01": "manager"}


def test_a_revoked_token_is_refused_by_the_next_request(client, estate_a):
    record, token = api_token_create(user=make_staff(estate_a, "manager"))
    assert client.get("/api/v1/me", **_auth(token)).status_code == 200
    assert isinstance(_cached(token), dict)
    api_token_revoke(token=record)
    assert client.get("/api/v1/me", **_auth(token)).status_code == 401
    # The stale mark keeps a request that read the database before the revocation from
    # putting the old answer back, and the refusal is not cached as a user either.
    assert _cached(token) == tokens.STALE
    assert client.get("/api/v1/me", **_auth(token)).status_code == 401


def test_a_deleted_token_and_a_deactivated_user_are_refused_at_once(client, estate_a):
    user = make_staff(estate_a, "manager")
    record, token = api_token_create(user=user)
    _other, second = api_token_create(user=user)
    assert client.get("/api/v1/me", **_auth(token)).status_code == 200
    assert client.get("/api/v1/me", **_auth(second)).status_code == 200
    ApiToken.objects.get(pk=record.pk).delete()
    assert client.get("/api/v1/me", **_auth(token)).status_code == 401
    assert client.get("/api/v1/me", **_auth(second)).status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", **_auth(second)).status_code == 401


def test_a_role_change_is_seen_at_once(client, estate_a, estate_b):
    user = make_staff(estate_a, "manager")
    _record, token = api_token_create(user=user)
    assert client.get("/api/v1/me", **_auth(token)).json()["roles"] == {"HY01": "manager"}
    membership = Membership.objects.get(user=user, estate=estate_a)
    membership.role = "technician"
    membership.save()
    assert client.get("/api/v1/me", **_auth(token)).json()["roles"] == {"HY01": "technician"}
    Membership.objects.create(user=user, estate=estate_b, role="finance")
    me = client.get("/api/v1/me", **_auth(token)).json()
    assert me["roles"] == {"HY01": "technician", "HY02": "finance"}
    membership.delete()
    assert client.get("/api/v1/me", **_auth(token)).json()["roles"] == {"HY02": "finance"}
    # Scoping follows: estate A's units are now another estate's (404).
    assert client.get("/api/v1/estates/HY01", **_auth(token)).status_code == 404


def test_company_wide_rights_given_or_taken_are_seen_at_once(client, estate_a):
    user = make_staff(estate_a, "front_desk")
    _record, token = api_token_create(user=user)
    assert client.get("/api/v1/me", **_auth(token)).json()["company_admin"] is False
    everywhere = Permission.objects.get(codename="view_all_estates")
    user.user_permissions.add(everywhere)
    assert client.get("/api/v1/me", **_auth(token)).json()["company_admin"] is True
    user.user_permissions.remove(everywhere)
    assert client.get("/api/v1/me", **_auth(token)).json()["company_admin"] is False
    group = Group.objects.create(name="company")
    user.groups.add(group)
    assert client.get("/api/v1/me", **_auth(token)).json()["company_admin"] is False
    group.permissions.add(everywhere)
    assert client.get("/api/v1/me", **_auth(token)).json()["company_admin"] is True
