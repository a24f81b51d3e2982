"""The operational panels of the dashboard (what needs doing now), a registry the apps fill:
``register(name, action, build, order)`` in ``<app>/dashboard.py`` (autodiscovered at start-up,
like metrics and nav). ``build(estate=, now=)`` returns a Panel computed in the database with
a fixed number of queries (one or two aggregates); each line links to the list behind it.
A panel shows only to roles that may do ``action`` in the estate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from estate import scoping


@dataclass
class Line:
    label: str
    value: object
    url: str | None = None
    warn: bool = False  # a figure that needs attention (shown with a "!" as well as colour)


@dataclass
class Panel:
    title: str
    lines: list[Line] = field(default_factory=list)
    url: str | None = None  # the list behind the whole panel


@dataclass(frozen=True)
class _Entry:
    name: str
    action: str
    build: Callable[..., Panel]
    order: int


_panels: dict[str, _Entry] = {}


def register(name: str, action: str, build: Callable[..., Panel], order: int = 50) -> None:
    _panels[name] = _Entry(name, action, build, order)


def names() -> list[str]:
    return [e.name for e in sorted(_panels.values(), key=lambda e: e.order)]


def panels_for(*, user, estate, now) -> list[Panel]:
    return [
        entry.build(estate=estate, now=now)
        for entry in sorted(_panels.values(), key=lambda e: e.order)
        if scoping.can(user, estate, entry.action)
    ]


# The bulletin's sections from the apps (top complaint categories, notable events...) --------


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list]


_sections: dict[str, tuple[Callable[..., Section | None], int]] = {}


def register_bulletin(name: str, build: Callable[..., Section | None], order: int = 50) -> None:
    """``build(estate=, period=)`` returns the section of the monthly bulletin (or None to
    leave it out), one or two queries."""
    _sections[name] = (build, order)


def bulletin_sections(*, estate, period) -> list[Section]:
    out = []
    for build, _order in sorted(_sections.values(), key=lambda x: x[1]):
        section = build(estate=estate, period=period)
        if section is not None:
            out.append(section)
    return out
