"""The registry behind the cross-estate test (tests/estate/test_cross_estate.py).

Every URL pattern that takes an object id or an estate code must be registered here by the
app that owns it, in ``tests/<app>/cross_estate.py``: ``register(url_name, make)`` where
``make(estate)`` builds an object of that estate and returns the URL kwargs. The test then asks
for it as a user of another estate and expects 404. A pattern that is neither registered nor
exempted (with a reason) fails the test, so a new URL cannot be forgotten.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Entry:
    name: str
    make: Callable
    methods: tuple[str, ...] = ("GET",)
    data: dict = field(default_factory=dict)


REGISTRY: dict[str, Entry] = {}
EXEMPT: dict[str, str] = {}


def register(name: str, make: Callable, methods=("GET",), data: dict | None = None) -> None:
    REGISTRY[name] = Entry(name, make, tuple(methods), data or {})


def exempt(name: str, reason: str) -> None:
    EXEMPT[name] = reason


# List filters that take an id ------------------------------------------------------------------
# Every list page or API list that filters by the id of an estate-owned object registers that
# filter: ``register_filter(target, param, make, query)`` where ``target`` is a page's URL name
# or an API path (``/api/v1/...``), and ``make(estate)`` builds an object of that estate with a
# row the list would show and returns ``(id, marker)``: the id to put in ``param`` and a text
# only that row shows. tests/estate/test_cross_estate_filters.py asks first as the object's
# estate (the marker must show: the check can fail), then as a user of another estate with
# its own ``?estate=``: the answer is 404 or 4xx, or a page without the marker. API filters
# are found in the OpenAPI schema, so an unregistered one fails the test.


@dataclass
class ListFilter:
    target: str
    param: str
    make: Callable
    query: dict = field(default_factory=dict)


FILTERS: dict[str, ListFilter] = {}
FILTERS_EXEMPT: dict[str, str] = {}


def register_filter(target: str, param: str, make: Callable, query: dict | None = None) -> None:
    FILTERS[f"{target}?{param}"] = ListFilter(target, param, make, query or {})


def exempt_filter(target: str, param: str, reason: str) -> None:
    FILTERS_EXEMPT[f"{target}?{param}"] = reason
