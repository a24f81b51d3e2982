"""What each role may do, per action: the matrix a manager can read, pinned against the code.

A new action must be added here, with the roles it is meant for, or this test fails."""

import pytest

from estate import scoping
from tests.factories import make_company_admin, make_estate, make_staff

F, T, M, FI, A = "front_desk", "technician", "manager", "finance", "admin"
MATRIX = {
    "estate.view": {F, T, M, FI, A},
    "kpi.view": {F, M, FI, A},
    "kpi.recompute": {M, A},
    "kpi.targets": {M, A},
    "kpi.bulletin": {M, A},
    "personal_data.view_unmasked": {F, M, A},
    "personal_data.export": {M, A},
    "repairs.ticket.view": {F, T, M, A},
    "repairs.ticket.create": {F, M, A},
    "repairs.ticket.dispatch": {F, M, A},
    "repairs.ticket.work": {F, T, M, A},
    "repairs.ticket.close": {F, M, A},
    "repairs.ticket.cancel": {F, M, A},
    "repairs.ticket.reopen": {F, M, A},
    "repairs.ticket.restore": {M, A},
    "repairs.ticket.charge": {F, M, A},
    "repairs.return_visit": {F, M, A},
    "repairs.configure": {M, A},
    "repairs.nav.my_tickets": {T},
    "fees.view": {F, M, FI, A},
    "fees.payment_record": {F, FI, A},
    "fees.payment_reverse": {FI, A},
    "fees.bill_void": {FI, A},
    "fees.deposit_refund": {FI, A},
    "fees.fee_item_manage": {FI, A},
    "fees.meter_reading_record": {F, T, FI, A},
    "fees.reminder_record": {F, M, FI, A},
    "fees.export": {M, FI, A},
    "residents.view": {F, M, FI, A},
    "residents.edit": {F, M, A},
    "residents.reveal": {M, A},
    "residents.import": {M, A},
    "residents.export": {M, A},
    "residents.merge": {M, A},
    "residents.access_log": {M, A},
    "movein.view": {F, T, M, A},
    "movein.manage": {F, M, A},
    "movein.configure": {M, A},
    "renovation.view": {F, T, M, FI, A},
    "renovation.apply": {F, M, A},
    "renovation.review": {M, A},
    "renovation.inspect": {F, T, M, A},
    "renovation.refund": {FI, A},
    "community.view": {F, M, FI, A},
    "community.event.manage": {M, A},
    "community.signup": {F, M, A},
    "community.announcement.manage": {M, A},
    "community.survey.manage": {M, A},
    "community.survey.enter": {F, M, A},
    "facilities.view": {F, T, M, A},
    "facilities.book": {F, M, A},
    "facilities.manage": {M, A},
    "patrols.walk": {F, T, M, A},
    "patrols.manage": {M, A},
    "paidservices.order": {F, M, A},
    "paidservices.manage": {M, A},
    "assessment.view_own": {F, T, M, FI, A},
    "assessment.view_staff": {M, A},
}


def test_every_action_is_in_the_matrix():
    assert set(scoping.actions()) == set(MATRIX)


@pytest.mark.parametrize("role", [F, T, M, FI, A])
def test_each_role_may_do_exactly_its_actions(db, role):
    estate, other = make_estate(code="RM01"), make_estate(code="RM02")
    user = make_staff(estate, role)
    allowed = {action for action in MATRIX if scoping.can(user, estate, action)}
    assert allowed == {action for action, roles in MATRIX.items() if role in roles}
    # A role in one estate gives nothing in another.
    assert not any(scoping.can(user, other, action) for action in MATRIX)


def test_company_admin_may_do_everything_everywhere(db):
    boss = make_company_admin()
    estate = make_estate(code="RM03")
    assert all(scoping.can(boss, estate, action) for action in MATRIX)


def test_unknown_action_is_a_programming_error(db):
    with pytest.raises(KeyError):
        scoping.can(make_company_admin(), make_estate(code="RM04"), "no.such.action")


def test_every_action_is_checked_somewhere():
    """A permission that no code asks about is a promise nobody keeps (a role row of the matrix
    that grants nothing): every defined action is named outside its definition."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [
        line
        for app in ("estate", "residents", "fees", "repairs", "renovation", "community")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("define(")
    ]
    text = "\n".join(sources)
    constants = dict(re.findall(r'^([A-Z_]+) = "([a-z_.]+)"$', text, flags=re.M))
    # Any membership is the right to see its estate: scoping.for_user is that check.
    implicit = {"estate.view"}
    unchecked = []
    for action in set(scoping.actions()) - implicit:
        names = [name for name, value in constants.items() if value == action]
        literal = re.search(rf'"{re.escape(action)}"(?! *$)', text)
        used = any(re.search(rf"\b{name}\b(?! =)", text) for name in names)
        if not literal and not used:
            unchecked.append(action)
    assert unchecked == []
