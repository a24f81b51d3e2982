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
