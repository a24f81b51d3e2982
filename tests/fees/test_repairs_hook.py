"""A paid repair (特约服务) becomes a one-off bill when its ticket is closed, end to end through
repairs.services."""

from decimal import Decimal

import pytest

from fees.models import Bill
from repairs import services as repairs
from tests.factories import make_staff
from tests.fees.factories import pay
from tests.fees.invariants import assert_fee_invariants
from tests.repairs.factories import make_ticket

pytestmark = pytest.mark.django_db


def _work_to_resolved(ticket, desk, tech):
    ticket = repairs.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
    ticket = repairs.ticket_start(ticket=ticket, by=tech)
    return repairs.ticket_resolve(ticket=ticket, by=tech)


def test_closing_a_paid_repair_bills_its_charge_once(estate_a, unit_a, finance_a):
    desk = make_staff(estate_a, "front_desk")
    tech = make_staff(estate_a, "technician")
    ticket = make_ticket(estate_a, unit=unit_a, by=desk)
    repairs.ticket_charge_set(ticket=ticket, by=desk, amount="80.50")
    ticket = _work_to_resolved(ticket, desk, tech)
    assert not Bill.objects.exists()

    repairs.ticket_close(ticket=ticket, by=desk, outcome="solved")

    bill = Bill.objects.get()
    assert (bill.unit, bill.amount_due, bill.source_ref) == (
        unit_a,
        Decimal("80.50"),
        ticket.number,
    )
    assert bill.fee_item.code == "paid_service"
    assert ticket.number in bill.description

    # Reopened and closed again: still one bill.
    repairs.ticket_reopen(ticket=ticket, by=desk, reason="又漏了")
    ticket = _work_to_resolved(ticket, desk, tech)
    repairs.ticket_close(ticket=ticket, by=desk, outcome="solved")
    assert Bill.objects.count() == 1

    pay(unit_a, "80.50", finance_a)
    bill.refresh_from_db()
    assert bill.fully_paid_at is not None
    assert_fee_invariants()


def test_a_repair_without_a_charge_makes_no_bill(estate_a, unit_a):
    desk = make_staff(estate_a, "front_desk")
    tech = make_staff(estate_a, "technician")
    ticket = _work_to_resolved(make_ticket(estate_a, unit=unit_a, by=desk), desk, tech)
    repairs.ticket_close(ticket=ticket, by=desk, outcome="solved")
    assert not Bill.objects.exists()
