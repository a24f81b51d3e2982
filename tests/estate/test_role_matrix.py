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


def test_a_technician_sees_and_changes_only_the_tickets_dispatched_to_them(db, client):
    """DOMAIN.md: technicians see what is dispatched to them. Another technician's ticket is a
    404 on the page, in the API and in the services; the lists show only their own."""
    from repairs import services
    from repairs.models import Ticket
    from tests.repairs.factories import make_ticket

    estate = make_estate(code="RM05")
    desk = make_staff(estate, F)
    mine_tech, other_tech = make_staff(estate, T), make_staff(estate, T)
    mine = services.ticket_dispatch(ticket=make_ticket(estate), by=desk, assignee=mine_tech)
    theirs = services.ticket_dispatch(ticket=make_ticket(estate), by=desk, assignee=other_tech)
    undispatched = make_ticket(estate)

    client.force_login(mine_tech)
    assert client.get(f"/repairs/{mine.pk}/").status_code == 200
    assert client.get(f"/repairs/{theirs.pk}/").status_code == 404
    assert client.get(f"/repairs/{undispatched.pk}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{theirs.pk}").status_code == 404
    assert (
        client.post(f"/api/v1/tickets/{theirs.pk}/resolve", {}, "application/json").status_code
        == 404
    )
    assert client.post(f"/repairs/{theirs.pk}/do/resolve/", {"note": "done"}).status_code == 404
    with pytest.raises(Exception) as refused:
        services.ticket_resolve(ticket=theirs, by=mine_tech)
    assert getattr(refused.value, "status", None) == 404

    listed = client.get("/api/v1/tickets?estate=RM05").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]
    queue = client.get("/repairs/?estate=RM05").content.decode()
    assert mine.number in queue and theirs.number not in queue
    assert undispatched.number not in queue

    # Their own ticket they work as before; the front desk still sees and reassigns all.
    assert (
        client.post(
            f"/api/v1/tickets/{mine.pk}/resolve", {"note": "done"}, "application/json"
        ).status_code
        == 200
    )
    assert Ticket.objects.get(pk=mine.pk).status == "resolved"
    client.force_login(desk)
    listed = client.get("/api/v1/tickets?estate=RM05").json()
    assert listed["count"] == 3
    services.ticket_dispatch(ticket=theirs, by=desk, assignee=mine_tech)
    client.force_login(mine_tech)
    assert client.get(f"/repairs/{theirs.pk}/").status_code == 200
