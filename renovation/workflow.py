"""The application workflow in ONE table: from which status an action leads where, who may do
it and what it needs. The services refuse through ``check``; the pages show the buttons
``allowed_actions`` gives, so a rule is never written twice.

Refusals: a status the action does not start from, or a need not met -> 409
``invalid_transition`` with a message; a role that may not -> 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estate import scoping
from estate.errors import DomainError
from renovation import roles
from renovation.models import ACTION_LABELS, Application

S = Application.Status


@dataclass(frozen=True)
class Need:
    test: Callable[[Application, object], bool]
    message: object  # lazy text, shown when the need is not met


def _paid(app: Application, by) -> bool:
    bill = app.deposit_bill
    return bill is not None and bill.fully_paid_at is not None and bill.voided_at is None


def _refundable(app: Application, by) -> bool:
    return _paid(app, by) and not hasattr(app.deposit_bill, "refund")


NEEDS = {
    "routine_only": Need(
        lambda app, by: not app.non_routine,
        gettext_lazy(
            "It lists non-routine works: the front desk checks it, then a manager reviews it."
        ),
    ),
    "non_routine": Need(
        lambda app, by: app.non_routine,
        gettext_lazy("Only routine works are listed: approve it directly."),
    ),
    "other_reviewer": Need(
        lambda app, by: by is None or app.checked_by_id != by.pk,
        gettext_lazy("The second review must be made by someone other than who checked it."),
    ),
    "deposit_paid": Need(_paid, gettext_lazy("The deposit is not paid yet.")),
    "no_open_violations": Need(
        lambda app, by: not app.violations.filter(closed_at__isnull=True).exists(),
        gettext_lazy("Close its open violations first."),
    ),
    "deposit_refundable": Need(
        _refundable, gettext_lazy("The deposit is not paid, or already refunded.")
    ),
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str | None  # None: the status stays (an action on the application, not a step)
    permission: str
    needs: tuple[str, ...] = ()


TABLE: tuple[Transition, ...] = (
    Transition(S.SUBMITTED, "edit", None, roles.APPLY),
    Transition(S.RETURNED, "edit", None, roles.APPLY),
    Transition(S.REJECTED, "edit", None, roles.APPLY),
    Transition(S.SUBMITTED, "approve", S.APPROVED, roles.APPLY, ("routine_only",)),
    Transition(S.SUBMITTED, "check", S.CHECKED, roles.APPLY, ("non_routine",)),
    Transition(S.CHECKED, "approve", S.APPROVED, roles.REVIEW, ("other_reviewer",)),
    Transition(S.SUBMITTED, "return", S.RETURNED, roles.APPLY),
    Transition(S.CHECKED, "return", S.RETURNED, roles.REVIEW),
    Transition(S.SUBMITTED, "reject", S.REJECTED, roles.APPLY),
    Transition(S.CHECKED, "reject", S.REJECTED, roles.REVIEW),
    Transition(S.RETURNED, "resubmit", S.SUBMITTED, roles.APPLY),
    Transition(S.REJECTED, "resubmit", S.SUBMITTED, roles.APPLY),
    Transition(S.SUBMITTED, "cancel", S.CANCELLED, roles.APPLY),
    Transition(S.RETURNED, "cancel", S.CANCELLED, roles.APPLY),
    Transition(S.REJECTED, "cancel", S.CANCELLED, roles.APPLY),
    Transition(S.APPROVED, "start", S.RENOVATING, roles.APPLY, ("deposit_paid",)),
    Transition(S.RENOVATING, "inspect", None, roles.INSPECT),
    Transition(S.RENOVATING, "report_violation", None, roles.INSPECT),
    Transition(S.RENOVATING, "accept", S.ACCEPTED, roles.INSPECT, ("no_open_violations",)),
    Transition(S.ACCEPTED, "refund", S.CLOSED, roles.REFUND, ("deposit_refundable",)),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TABLE))
# The steps a person chooses from the application page (the others have their own forms).
STEPS = ("check", "approve", "return", "reject", "resubmit", "cancel", "start")


def transition_for(app: Application, action: str) -> Transition | None:
    return next((t for t in TABLE if t.source == app.status and t.action == action), None)


def refusal(app: Application, action: str, by) -> DomainError | None:
    """Why ``by`` may not do ``action`` on the application now (None: allowed)."""
    if action not in ACTIONS:
        return DomainError("invalid", _("Unknown action %(a)s.") % {"a": action}, field="action")
    row = transition_for(app, action)
    if row is None:
        return DomainError(
            "invalid_transition",
            _("Application %(n)s is %(s)s; it cannot %(a)s.")
            % {"n": app.number, "s": app.get_status_display(), "a": ACTION_LABELS[action]},
            field="status",
        )
    if by is None or not scoping.can(by, app.estate_id, row.permission):
        return DomainError("forbidden", _("Your role does not allow this."), status=403)
    for name in row.needs:
        need = NEEDS[name]
        if not need.test(app, by):
            return DomainError("invalid_transition", str(need.message), field="status")
    return None


def can(app: Application, action: str, by) -> bool:
    return refusal(app, action, by) is None


def check(app: Application, action: str, by) -> Transition:
    """The table's row for the action, or the refusal raised."""
    error = refusal(app, action, by)
    if error is not None:
        raise error
    return transition_for(app, action)


def allowed_actions(app: Application, by) -> list[str]:
    """The actions ``by`` may take on the application now, in the table's order."""
    return [a for a in ACTIONS if transition_for(app, a) is not None and can(app, a, by)]


def can_approve(app, by) -> bool:
    return can(app, "approve", by)


def can_start(app, by) -> bool:
    return can(app, "start", by)


def can_refund(app, by) -> bool:
    return can(app, "refund", by)
