"""Special paid services: ordered on the residents' page, worked, resolved and billed once
with its price; a quoted one cannot start before the resident confirms the quote; the
catalogue takes company defaults unless the estate overrides them."""

import re
from decimal import Decimal

import pytest

from estate.errors import DomainError
from fees.models import Bill
from repairs import services as repair_services
from repairs import workflow
from repairs.models import Ticket
from repairs.paidservices import services
from repairs.paidservices.models import Order
from tests.factories import make_estate, make_staff, make_unit
from tests.paidservices.factories import make_service

FORM = {"unit_number": "1-1-101", "name": "王伟", "phone": "13812345678", "description": "厨房"}


def _work(order, estate):
    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    repair_services.ticket_dispatch(ticket=order.ticket, by=desk, assignee=tech)
    services.order_start(order=order, by=tech)
    return desk


def test_ordered_on_the_public_page_worked_resolved_and_billed_once(client, db):
    estate = make_estate(code="PS01")
    unit = make_unit(estate, "1-1-101")
    service = make_service(estate)
    page = client.get("/r/PS01/services/").content.decode()
    assert "管道疏通" in page and "80.00" in page
    r = client.post("/r/PS01/services/", FORM | {"service": str(service.pk)})
    order = Order.objects.get()
    assert r.status_code == 302 and order.ticket.tracking_code in r["Location"]
    assert order.ticket.channel == Ticket.Channel.WEB_FORM and order.ticket.unit == unit
    assert order.price == Decimal("80.00")

    desk = _work(order, estate)
    services.order_resolve(order=order, by=desk)
    bill = Bill.objects.get()
    assert bill.amount_due == Decimal("80.00") and bill.unit == unit
    assert bill.source_ref == order.ticket.number
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.RESOLVED and ticket.charge_billed_at is not None
    repair_services.ticket_close(ticket=ticket, by=desk, outcome="solved")
    assert Bill.objects.count() == 1  # closing bills nothing more


def test_a_quoted_service_cannot_start_before_the_quote_is_confirmed(db):
    estate = make_estate()
    unit = make_unit(estate)
    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    order = services.order_create(
        estate=estate,
        service=make_service(estate, code="paint", pricing="quoted"),
        unit=unit,
        name="王伟",
        phone="13812345678",
        by=desk,
    )
    repair_services.ticket_dispatch(ticket=order.ticket, by=desk, assignee=tech)
    with pytest.raises(DomainError) as err:
        services.order_start(order=order, by=tech)
    assert err.value.code == "quote_unconfirmed"
    services.quote_set(order=order, by=desk, amount="350.00")
    with pytest.raises(DomainError):
        services.order_start(order=order, by=tech)  # quoted, not yet confirmed
    with pytest.raises(DomainError):
        services.order_resolve(order=order, by=desk)
    # Nor through repairs' own transition (the ticket page and the API use it): the table
    # refuses "start" and no page offers the button.
    ticket = Ticket.objects.get(pk=order.ticket_id)
    with pytest.raises(DomainError) as err:
        repair_services.ticket_start(ticket=ticket, by=tech)
    assert err.value.code == "start_blocked"
    assert "start" not in workflow.allowed_actions(ticket, tech)
    services.quote_confirm(order=order, by=desk, how="电话确认 14:20")
    assert "start" in workflow.allowed_actions(Ticket.objects.get(pk=order.ticket_id), tech)
    services.order_start(order=order, by=tech)
    services.order_resolve(order=order, by=desk)
    assert Bill.objects.get().amount_due == Decimal("350.00")
    order.refresh_from_db()
    assert order.quote_confirmed_by == desk and order.quote_confirmation == "电话确认 14:20"
    assert Ticket.objects.get().status == Ticket.Status.RESOLVED


def test_company_defaults_unless_overridden_and_online_only_for_residents(client, db):
    estate = make_estate(code="PS02")
    make_unit(estate, "1-1-101")
    default = make_service(None, code="unclog", name="疏通（公司）")
    make_service(None, code="clean", name="深度保洁", online=False, category_code="paid")
    own = make_service(estate, code="unclog", name="疏通（本小区）", price="60.00")
    names = [s.name for s in services.catalogue(estate=estate)]
    assert names == ["深度保洁", "疏通（本小区）"]
    assert [s.pk for s in services.catalogue(estate=estate, online_only=True)] == [own.pk]
    r = client.post("/r/PS02/services/", FORM | {"service": str(default.pk)})
    assert r.status_code == 400 and not Order.objects.exists()


def test_bad_orders_come_back_with_the_form(client, db):
    estate = make_estate(code="PS03")
    other = make_estate(code="PS04")
    make_unit(other, "1-1-101")
    service = make_service(estate)
    r = client.post("/r/PS03/services/", FORM | {"service": str(service.pk)})
    body = r.content.decode()
    assert r.status_code == 400 and 'id="id_unit_number_error"' in body and 'value="王伟"' in body
    make_unit(estate, "1-1-101")
    r = client.post("/r/PS03/services/", FORM | {"service": str(service.pk), "phone": "123"})
    assert r.status_code == 400 and 'id="id_phone_error"' in r.content.decode()
    assert not Order.objects.exists() and not Ticket.objects.exists()


def test_staff_pages(client, db):
    estate = make_estate(code="PS05")
    make_unit(estate, "1-1-101")
    service = make_service(estate, code="paint", pricing="quoted")
    desk = make_staff(estate, "front_desk")
    client.force_login(desk)
    r = client.post("/paid-services/?estate=PS05", FORM | {"service": str(service.pk)})
    order = Order.objects.get()
    assert r.status_code == 302 and order.ticket.channel == Ticket.Channel.FRONT_DESK
    page = client.get(f"/paid-services/orders/{order.pk}/").content.decode()
    assert order.ticket.number in page
    tech = make_staff(estate, "technician")
    repair_services.ticket_dispatch(ticket=order.ticket, by=desk, assignee=tech)
    r = client.post(f"/paid-services/orders/{order.pk}/start")
    assert r.status_code == 409
    client.post(f"/paid-services/orders/{order.pk}/quote", {"amount": "200"})
    client.post(f"/paid-services/orders/{order.pk}/confirm", {"how": "现场签字"})
    assert client.post(f"/paid-services/orders/{order.pk}/start").status_code == 302
    # Resolving asks for the completion note here as on the ticket page (beside the field).
    refused = client.post(f"/paid-services/orders/{order.pk}/resolve", {"note": " "})
    assert refused.status_code == 400 and not Bill.objects.exists()
    assert re.search(r'class="field has-error" id="field-note"', refused.content.decode())
    resolved = client.post(f"/paid-services/orders/{order.pk}/resolve", {"note": "换好了"})
    assert resolved.status_code == 302
    assert Ticket.objects.get(pk=order.ticket_id).history.get(kind="resolved").note == "换好了"
    assert Bill.objects.get().amount_due == Decimal("200.00")
    assert client.get("/paid-services/catalogue/?estate=PS05").status_code == 200
    r = client.post("/paid-services/catalogue/?estate=PS05", {"code": "x", "name": "x"})
    assert r.status_code == 403  # the front desk orders; managers keep the catalogue


@pytest.mark.parametrize("rows", [1, 30])
def test_orders_page_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries, rows):
    estate = make_estate(code="PS06")
    service = make_service(estate)
    for _i in range(rows):
        services.order_create(
            estate=estate, service=service, unit=make_unit(estate), name="王伟", phone="13812345678"
        )
    client.force_login(make_staff(estate, "front_desk"))
    client.get("/paid-services/?estate=PS06")
    # session, user, user and group permissions, memberships, the estate by code, the
    # catalogue, the count, the page with service, ticket and unit; the frame: switcher
    # estates, unread notifications, current estate (12)
    with django_assert_num_queries(12):
        r = client.get("/paid-services/?estate=PS06")
    assert r.status_code == 200


# Any resolution bills the order: the price is the ticket's charge from the start ---------------
def _ordered_on_the_public_page(client, code):
    estate = make_estate(code=code)
    unit = make_unit(estate, "1-1-101")
    service = make_service(estate)
    client.post(f"/r/{code}/services/", FORM | {"service": str(service.pk)})
    order = Order.objects.get()
    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    repair_services.ticket_dispatch(ticket=order.ticket, by=desk, assignee=tech)
    return estate, unit, order, desk, tech


def test_a_fixed_price_is_the_tickets_charge_from_the_order(client, db):
    _estate, _unit, order, _desk, _tech = _ordered_on_the_public_page(client, "PS10")
    ticket = Ticket.objects.get(pk=order.ticket_id)
    assert ticket.service_charge == Decimal("80.00")
    charge = ticket.history.get(kind="charge")
    assert charge.by is None and "80.00" in charge.note  # the resident ordered online


def test_resolved_from_the_ordinary_ticket_page_bills_the_price_once(client, db):
    _estate, unit, order, desk, tech = _ordered_on_the_public_page(client, "PS11")
    client.force_login(tech)
    r = client.post(
        f"/repairs/{order.ticket_id}/do/resolve/", {"resolve-note": "已疏通", "confirmed": "1"}
    )
    assert r.status_code == 302
    bill = Bill.objects.get()
    assert bill.amount_due == Decimal("80.00") and bill.unit == unit
    assert bill.source_ref == order.ticket.number
    # Reopened and resolved again, then closed: still the one bill.
    ticket = Ticket.objects.get(pk=order.ticket_id)
    repair_services.ticket_reopen(ticket=ticket, by=desk, reason="又堵了")
    assert (
        client.post(
            f"/repairs/{order.ticket_id}/do/resolve/",
            {"resolve-note": "又疏通了", "confirmed": "1"},
        ).status_code
        == 302
    )
    repair_services.ticket_close(ticket=ticket, by=desk, outcome="solved")
    assert Bill.objects.count() == 1
    assert Ticket.objects.get(pk=order.ticket_id).status == Ticket.Status.CLOSED


def test_resolved_through_the_api_bills_the_price_once(client, db):
    _estate, _unit, order, desk, tech = _ordered_on_the_public_page(client, "PS12")
    client.force_login(tech)
    r = client.post(
        f"/api/v1/tickets/{order.ticket_id}/resolve",
        {"note": "通了"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["service_charge"] == "80.00"
    assert Bill.objects.get().amount_due == Decimal("80.00")
    ticket = Ticket.objects.get(pk=order.ticket_id)
    repair_services.ticket_reopen(ticket=ticket, by=desk, reason="又堵了")
    r = client.post(
        f"/api/v1/tickets/{order.ticket_id}/resolve",
        {"note": "通了"},
        content_type="application/json",
    )
    assert r.status_code == 200 and Bill.objects.count() == 1


def test_a_quote_becomes_the_charge_only_once_confirmed_and_nothing_resolves_before(db):
    estate = make_estate()
    unit = make_unit(estate)
    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    order = services.order_create(
        estate=estate,
        service=make_service(estate, code="paint", pricing="quoted"),
        unit=unit,
        name="王伟",
        phone="13812345678",
        by=desk,
    )
    repair_services.ticket_dispatch(ticket=order.ticket, by=desk, assignee=tech)
    services.quote_set(order=order, by=desk, amount="350.00")
    ticket = Ticket.objects.get(pk=order.ticket_id)
    assert ticket.service_charge is None
    # The ordinary resolve refuses too: no work is done on an unconfirmed quote.
    with pytest.raises(DomainError) as err:
        repair_services.ticket_resolve(ticket=ticket, by=tech)
    assert err.value.code == "start_blocked" and not Bill.objects.exists()
    assert "resolve" not in workflow.allowed_actions(ticket, tech)
    services.quote_confirm(order=order, by=desk, how="电话确认")
    assert Ticket.objects.get(pk=order.ticket_id).service_charge == Decimal("350.00")
    # A new quote takes the charge away until the resident confirms it again.
    services.quote_set(order=order, by=desk, amount="420.00")
    assert Ticket.objects.get(pk=order.ticket_id).service_charge is None
    services.quote_confirm(order=order, by=desk, how="现场签字")
    repair_services.ticket_start(ticket=ticket, by=tech)
    repair_services.ticket_resolve(ticket=ticket, by=tech)
    assert Bill.objects.get().amount_due == Decimal("420.00")


def test_a_paid_repair_without_an_order_still_bills_on_closing(db):
    estate = make_estate()
    unit = make_unit(estate)
    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    ticket = repair_services.ticket_create(
        estate=estate,
        kind="repair",
        category=make_service(estate).category_code,
        priority="normal",
        channel="phone",
        description="换水龙头",
        reporter_name="王伟",
        reporter_phone="13812345678",
        unit=unit,
        by=desk,
    )
    repair_services.ticket_charge_set(ticket=ticket, by=desk, amount="30")
    repair_services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
    repair_services.ticket_resolve(ticket=ticket, by=tech)
    assert not Bill.objects.exists()
    repair_services.ticket_close(ticket=ticket, by=desk, outcome="solved")
    assert Bill.objects.get().amount_due == Decimal("30.00")
