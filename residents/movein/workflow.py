"""What may happen to a handover, in one table: the services refuse what it does not allow
(409 ``invalid_transition``) and the pages show only the buttons it allows.

An action is allowed when the handover is in one of its statuses and its predicate (if any)
holds. The predicates read what is on the handover object; ``items`` and ``defects`` are the
prefetched lists when the page has them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from estate.errors import DomainError
from residents.movein.models import Handover

S = Handover.Status


def all_items_done(handover: Handover) -> bool:
    items = list(handover.items.all())
    return bool(items) and all(item.done for item in items)


def not_rated(handover: Handover) -> bool:
    return handover.rating is None


@dataclass(frozen=True)
class Action:
    name: str
    statuses: frozenset[str]
    to: str | None = None  # the status it moves to; None: the status stays
    predicate: Callable[[Handover], bool] | None = None
    refused: str = ""  # why, when the predicate fails


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("start", frozenset({S.BOOKED}), to=S.IN_PROGRESS),
        Action("check_item", frozenset({S.IN_PROGRESS})),
        Action("add_defect", frozenset({S.IN_PROGRESS, S.COMPLETED})),
        Action(
            "rate",
            frozenset({S.IN_PROGRESS, S.COMPLETED}),
            predicate=not_rated,
            refused=gettext_noop("This handover has already been rated."),
        ),
        Action(
            "complete",
            frozenset({S.IN_PROGRESS}),
            to=S.COMPLETED,
            predicate=all_items_done,
            refused=gettext_noop(
                "Every checklist item must be done before the handover is completed."
            ),
        ),
        Action("cancel", frozenset({S.BOOKED, S.IN_PROGRESS}), to=S.CANCELLED),
    )
}


def allowed(handover: Handover, action: str) -> bool:
    spec = ACTIONS[action]
    if handover.status not in spec.statuses:
        return False
    return spec.predicate is None or spec.predicate(handover)


def allowed_actions(handover: Handover) -> set[str]:
    """Every action the handover allows now (the page's buttons)."""
    return {name for name in ACTIONS if allowed(handover, name)}


def require(handover: Handover, action: str) -> Action:
    """The action's spec, or a 409 saying why it is refused."""
    spec = ACTIONS[action]
    if handover.status not in spec.statuses:
        raise DomainError(
            "invalid_transition",
            _("A handover that is %(status)s does not allow this.")
            % {"status": handover.get_status_display()},
            field="status",
        )
    if spec.predicate is not None and not spec.predicate(handover):
        raise DomainError("invalid_transition", _(spec.refused), field="status")
    return spec
