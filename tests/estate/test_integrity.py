"""Money and audit records are never deleted with the estate, unit or user they mention."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import ProtectedError
from django.urls import reverse

from estate.models import AccessLog, Estate, Unit
from estate.numbering import sequence_next
from estate.privacy import log_unmasked
from fees.models import Allocation, Bill, Payment, Reversal, UnitAccount
from fees.services import payment_reverse
from repairs import services as repairs
from repairs.models import Ticket, TicketEvent
from tests.factories import make_company_admin, make_estate, make_staff, make_unit
from tests.fees.factories import make_bill, make_finance, pay
from tests.repairs.factories import make_ticket

MONEY_AND_AUDIT = [
    "fees.Bill",
    "fees.Payment",
    "fees.Allocation",
    "fees.Reversal",
    "fees.UnitAccount",
    "fees.DepositRefund",
    "fees.Reminder",
    "estate.AccessLog",
    "estate.Sequence",
    "repairs.Ticket",
    "repairs.TicketEvent",
    "repairs.ReturnVisit",
]


def _counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


@pytest.mark.parametrize("label", MONEY_AND_AUDIT)
def test_money_and_audit_keys_never_cascade(label):
    """Every key of a money or audit record to an estate, unit, ticket or payment is PROTECT;
    a key to a user is SET_NULL with the name kept beside it."""
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields}
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        if (label, field.name) == ("repairs.Ticket", "assignee"):
            continue  # who works on it now, not a record of the past (history has by_name)
        if field.related_model._meta.label == "auth.User":
            assert field.remote_field.on_delete is models.SET_NULL, (label, field.name)
            assert f"{field.name}_name" in names, (label, field.name)
        elif field.related_model._meta.label in {
            "repairs.Category",
            "repairs.Department",
            "residents.Resident",
        }:
            continue  # reference data / the resident: not deleted with money (PROTECT, SET_NULL)
        else:
            assert field.remote_field.on_delete is models.PROTECT, (label, field.name)


@pytest.fixture
def estate_with_payment(estate_a):
    unit = make_unit(estate_a, "1-1-101")
    make_bill(unit, "100.00")
    finance = make_finance(estate_a)
    payment = pay(unit, Decimal("100.00"), finance)
    return estate_a, unit, finance, payment


def test_deleting_an_estate_with_one_payment_is_refused_and_nothing_is_deleted(
    estate_with_payment,
):
    estate, unit, _finance, _payment = estate_with_payment
    before = _counts()
    assert before["fees.Payment"] == 1
    with pytest.raises(ProtectedError) as exc:
        estate.delete()
    assert any(isinstance(o, Payment | Bill | Allocation) for o in exc.value.protected_objects)
    with pytest.raises(ProtectedError):
        unit.delete()
    assert _counts() == before
    assert Estate.objects.filter(pk=estate.pk).exists()


def test_deleting_an_estate_with_a_ticket_or_access_log_is_refused(estate_a, estate_b):
    make_ticket(estate_a)
    with pytest.raises(ProtectedError):
        estate_a.delete()
    viewer = make_staff(estate_b, "manager")
    unit = make_unit(estate_b)
    log_unmasked(user=viewer, obj=unit, field="phone")
    with pytest.raises(ProtectedError):
        estate_b.delete()
    sequence_next(estate=make_estate(code="HY03"), name="x")
    with pytest.raises(ProtectedError):
        Estate.objects.get(code="HY03").delete()


def test_an_estate_without_money_or_history_can_still_be_deleted(estate_a):
    make_unit(estate_a)
    estate_a.delete()
    assert not Unit.objects.exists()


def test_deleting_a_user_keeps_payments_and_ticket_history_with_the_name(estate_a):
    cashier = make_staff(estate_a, "finance", username="cashier-li")
    cashier.first_name = "李丽"
    cashier.save()
    unit = make_unit(estate_a, "1-1-101")
    make_bill(unit, "100.00")
    payment = pay(unit, Decimal("60.00"), cashier)
    payment_reverse(payment=payment, reason="收错了", by=cashier)
    desk = make_staff(estate_a, "front_desk", username="desk-wang")
    ticket = make_ticket(estate_a, by=desk)
    repairs.ticket_accept(ticket=ticket, by=desk)
    log_unmasked(user=desk, obj=ticket, field="reporter_phone")
    before = _counts()

    cashier.delete()
    desk.delete()

    after = _counts()
    for label in ("fees.Payment", "fees.Reversal", "fees.Allocation", "fees.Bill"):
        assert after[label] == before[label], label
    for label in ("repairs.Ticket", "repairs.TicketEvent", "estate.AccessLog"):
        assert after[label] == before[label], label
    payment = Payment.objects.get()
    assert payment.created_by is None and payment.created_by_name == "李丽"
    assert Reversal.objects.get().created_by_name == "李丽"
    events = TicketEvent.objects.filter(ticket=ticket)
    assert {e.by_name for e in events} == {"desk-wang"}
    assert Ticket.objects.get().created_by_name == "desk-wang"
    assert AccessLog.objects.get().user_name == "desk-wang"
    assert UnitAccount.objects.filter(unit=unit).exists()


def test_admin_delete_page_of_an_estate_with_a_payment_names_what_blocks_it(
    client, estate_with_payment
):
    estate, unit, _finance, payment = estate_with_payment
    client.force_login(make_company_admin())
    url = reverse("admin:estate_estate_delete", args=[estate.pk])
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "money or audit record(s) depend on it" in body or "资金或审计记录" in body
    assert payment.number in body
    # Posting the form anyway deletes nothing.
    before = _counts()
    client.post(url, {"post": "yes"})
    assert _counts() == before

    response = client.get(reverse("admin:estate_unit_delete", args=[unit.pk]))
    assert payment.number in response.content.decode()


def test_money_and_history_are_read_only_in_the_admin(client, estate_with_payment):
    estate, _unit, _finance, payment = estate_with_payment
    ticket = make_ticket(estate)
    client.force_login(make_company_admin())
    event = TicketEvent.objects.filter(ticket=ticket).first()
    for name, pk in [
        ("fees_payment", payment.pk),
        ("repairs_ticketevent", event.pk),
        ("estate_sequence", None),
        ("repairs_returnvisit", None),
        ("estate_accesslog", None),
    ]:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name
        if pk is not None:
            assert client.post(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403
            change = client.get(reverse(f"admin:{name}_change", args=[pk]))
            assert change.status_code == 200
            assert 'name="_save"' not in change.content.decode(), name
