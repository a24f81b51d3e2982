"""Panels of the file's page that higher apps provide (the unit's tickets from repairs, its
bills from fees). residents sits below them and never imports them: they register here from
their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    func: Callable  # (unit_ids, user) -> dict for the template, or None to hide the panel
    template: str
    order: int = 50


_PANELS: dict[str, Panel] = {}


def register_panel(name: str, func: Callable, template: str, *, order: int = 50) -> None:
    """``func(unit_ids, user)`` returns the template's context (or None to show nothing)."""
    _PANELS[name] = Panel(name, func, template, order)


def panels_for(unit_ids: list[int], user) -> list[dict]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.func(unit_ids, user)
        if context is not None:
            shown.append({"name": panel.name, "template": panel.template, "context": context})
    return shown
