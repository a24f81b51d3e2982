"""List filters that take an id (``?unit=``, ``?assignee=``, ``?category=`` ...): given the id
of another estate's object, every list page and API list answers 404 or a 4xx, or a list
without that estate's rows; never its rows. Filters are registered by each app in
tests/<app>/cross_estate.py (``register_filter``); the API's are found in its OpenAPI schema,
so a new one cannot be forgotten."""

import json

import pytest
from django.urls import reverse

from tests.cross_estate import FILTERS, FILTERS_EXEMPT
from tests.estate import test_cross_estate  # noqa: F401  (imports every app's registrations)
from tests.factories import make_estate, make_staff

# Integer query parameters that are not ids.
NOT_IDS = {"limit", "offset", "year", "days", "min_days"}


def _api_id_filters(client) -> set[str]:
    spec = client.get("/api/v1/openapi.json").json()
    found = set()
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        if op is None or "{" in path:
            continue
        for p in op.get("parameters", []):
            if p["in"] != "query" or p["name"] in NOT_IDS:
                continue
            schema = p["schema"]
            types = {schema.get("type")} | {a.get("type") for a in schema.get("anyOf", [])}
            described = f"{p.get('description', '')} {schema.get('description', '')}"
            if "integer" in types or " id" in f" {described}":
                found.add(f"{path}?{p['name']}")
    return found


def test_every_api_id_filter_is_registered_or_exempted(client, db):
    missing = sorted(
        f for f in _api_id_filters(client) if f not in FILTERS and f not in FILTERS_EXEMPT
    )
    assert not missing, f"register these in tests/<app>/cross_estate.py: {missing}"
    assert len(FILTERS) >= 15


def _get(client, target: str, params: dict):
    url = target if target.startswith("/") else reverse(target)
    return client.get(url, params)


def _text(response) -> str:
    """The answer as a reader sees it (JSON with its Chinese unescaped)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


@pytest.mark.parametrize("key", sorted(FILTERS))
def test_another_estates_id_in_a_list_filter_shows_none_of_its_rows(client, db, key):
    entry = FILTERS[key]
    estate_a = make_estate(code="XA05", name="甲小区")
    estate_b = make_estate(code="XB05", name="乙小区")
    user_a, user_b = make_staff(estate_a, "admin"), make_staff(estate_b, "admin")
    value, marker = entry.make(estate_b)

    # Its own estate sees the row: the marker is what a leak would show.
    client.force_login(user_b)
    own = _get(client, entry.target, {"estate": "XB05", entry.param: value, **entry.query})
    assert own.status_code == 200, f"{key} for its own estate gave {own.status_code}"
    assert marker in _text(own), f"{key}: the control does not show {marker!r}"

    client.force_login(user_a)
    asks = [{"estate": "XA05"}]
    if entry.target.startswith("/api/"):
        asks.append({})  # an API list whose estate is optional: across the user's estates
    for base in asks:
        other = _get(client, entry.target, {**base, entry.param: value, **entry.query})
        if other.status_code == 422 and not base and other.json().get("field") == "estate":
            continue  # the estate is required here
        assert other.status_code in (200, 400, 404, 422), f"{key} {base} gave {other.status_code}"
        body = _text(other)
        assert marker not in body, f"{key} {base} shows another estate's row ({marker!r})"
        if other.status_code == 200 and other.get("Content-Type", "").startswith(
            "application/json"
        ):
            data = other.json()
            if isinstance(data, dict) and "count" in data:
                assert data["count"] == 0, f"{key} {base} counts another estate's rows"
