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
