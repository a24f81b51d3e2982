"""The demo-data registry: each app's ``seed.py`` adds a part to ``seed_demo``.

A part is ``fn(ctx)``; parts run in ``order`` and share one ``SeedContext``, which carries the
random generator (deterministic for a given seed) and what earlier parts made."""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

_parts: list[tuple[int, str, Callable]] = []


@dataclass
class SeedContext:
    rng: random.Random
    estates: int
    months: int
    now: dt.datetime
    scale: float = 1.0
    data: dict = field(default_factory=dict)
    log: Callable[[str], None] = lambda msg: None


def register(order: int, name: str):
    def decorator(fn):
        if all(n != name for _, n, _ in _parts):
            _parts.append((order, name, fn))
        return fn

    return decorator


def parts() -> list[tuple[int, str, Callable]]:
    return sorted(_parts, key=lambda p: p[0])
