"""The per-person figures registry (培训考核): each app registers its figures the way it
registers its rates (estate.kpi), without this package importing any app.

A figure is ``compute(estate, start, end, now) -> {user_id: number}`` — one aggregate query
grouped by person for one estate and month — and ``records(estate, start, end, now, user_id)``,
the rows behind one person's number as ``(label, url)`` pairs, filtered with the same
condition, so a person's figure and its list never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # a lazy translation
    compute: Callable[..., dict[int, float | int]]
    records: Callable[..., list[tuple[str, str]]]
    order: int = 50


_figures: dict[str, Figure] = {}


def register(figure: Figure) -> None:
    _figures[figure.key] = figure


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: (f.order, f.key))


def get(key: str) -> Figure | None:
    return _figures.get(key)


def compute_all(*, estate, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict:
    """{figure key: {user_id: number}}: one query per figure, whatever the staff size."""
    return {f.key: f.compute(estate, start, end, now) for f in figures()}
