"""A user of estate A asking for anything of estate B gets 404, for every URL with an id."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.cross_estate import EXEMPT, REGISTRY
from tests.factories import make_estate, make_staff

for _mod in pkgutil.iter_modules(tests.__path__):
    if _mod.ispkg:
        try:
            importlib.import_module(f"tests.{_mod.name}.cross_estate")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{_mod.name}.cross_estate":
                raise


def _patterns(resolver: URLResolver, ns: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin: staff-only, permission-checked by Django itself
            yield from _patterns(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name}" if p.name else None, p


def _scoped_names() -> list[str]:
    names = []
    for name, pattern in _patterns(get_resolver()):
        if pattern.pattern.converters or "<" in str(pattern.pattern):
            if name is None or name.startswith("media") or "openapi" in name:
                continue
            names.append(name)
    return sorted(set(names))


def test_every_url_with_a_parameter_is_registered_or_exempted():
    missing = [n for n in _scoped_names() if n not in REGISTRY and n not in EXEMPT]
    assert not missing, (
        "register these URL names in tests/<app>/cross_estate.py (or exempt them with a "
        f"reason): {missing}"
    )


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_object_of_another_estate_is_404(client, name):
    entry = REGISTRY[name]
    estate_a = make_estate(code="XA01")
    estate_b = make_estate(code="XB01")
    client.force_login(make_staff(estate_a, "admin"))
    url = reverse(name, kwargs=entry.make(estate_b))
    for method in entry.methods:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.generic(
                method,
                url,
                data=__import__("json").dumps(entry.data),
                content_type="application/json",
            )
        assert response.status_code == 404, f"{method} {url} gave {response.status_code}"


# ``?estate=CODE`` and list filters -------------------------------------------------------------
SKIP_PAGE_PREFIXES = ("admin:", "api-", "media", "static", "public", "login", "logout")


def _pages_without_parameters() -> list[tuple[str, str]]:
    pages = []
    for name, pattern in _patterns(get_resolver()):
        if name is None or name.startswith(SKIP_PAGE_PREFIXES) or "openapi" in name:
            continue
        if pattern.pattern.converters or "<" in str(pattern.pattern):
            continue
        try:
            pages.append((name, reverse(name)))
        except Exception:  # noqa: BLE001 - a pattern that needs arguments the walk cannot give
            continue
    return sorted(set(pages))


def test_every_page_refuses_another_estates_code_in_the_query(client):
    """A page that takes ``?estate=`` answers 404 for an estate the user does not belong to
    (exactly as for a code that does not exist); a page that ignores it shows nothing of it."""
    estate_a = make_estate(code="XA02", name="甲小区")
    make_estate(code="XB02", name="乙小区独有名")
    client.force_login(make_staff(estate_a, "admin"))
    checked, taking = [], []
    for name, url in _pages_without_parameters():
        if url.startswith("/api/"):
            continue
        plain = client.get(url)
        if plain.status_code in (301, 302, 405):
            continue
        own = client.get(url, {"estate": "XA02"})
        other = client.get(url, {"estate": "XB02"})
        unknown = client.get(url, {"estate": "ZZ99"})
        checked.append(name)
        if other.status_code == 404:
            taking.append(name)
            assert own.status_code != 404, f"{url}?estate=XA02 (own estate) gave 404"
            assert unknown.status_code == 404, f"{url}?estate=ZZ99 gave {unknown.status_code}"
        else:
            assert other.status_code == plain.status_code, (
                f"{url}?estate=XB02 gave {other.status_code}, without it {plain.status_code}"
            )
            assert "乙小区独有名" not in other.content.decode(errors="replace"), url
    assert len(taking) >= 5, f"only {taking} of {checked} take ?estate="


def test_every_api_list_refuses_another_estates_code_in_the_query(client):
    """Every API operation with a query parameter named ``estate`` (found in the OpenAPI
    schema) answers 404 for another estate's code, and not for the user's own."""
    from estate.services import api_token_create

    estate_a = make_estate(code="XA03")
    make_estate(code="XB03")
    _record, token = api_token_create(user=make_staff(estate_a, "admin"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        path
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method == "get"
        and "{" not in path
        and any(p["in"] == "query" and p["name"] == "estate" for p in op.get("parameters", []))
    ]
    assert len(operations) >= 3, operations
    # Other required parameters, so that only the estate decides the answer.
    extra = {"period": "2026-10", "year": "2026", "category": "0", "figure": "tickets_handled"}
    for path in operations:
        params = {k: v for k, v in extra.items() if k in _query_names(spec, path)}
        own = client.get(path, {"estate": "XA03", **params}, **auth)
        if "category" not in params:  # a category id of no estate is 404 for anyone
            assert own.status_code in (200, 201), f"GET {path}?estate=XA03 gave {own.status_code}"
        other = client.get(path, {"estate": "XB03", **params}, **auth)
        assert other.status_code == 404, f"GET {path}?estate=XB03 gave {other.status_code}"


def _query_names(spec: dict, path: str) -> set[str]:
    return {
        p["name"] for p in spec["paths"][path]["get"].get("parameters", []) if p["in"] == "query"
    }
