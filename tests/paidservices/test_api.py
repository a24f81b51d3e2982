"""The paid-services API: the catalogue, ordering (a ticket carrying the price), a quote and
its confirmation, the orders list; bad input names its field; resolving the order's ticket
through the tickets API bills the price once; the orders list runs a fixed number of queries."""

import json
from decimal import Decimal

import pytest

from fees.models import Bill
from repairs import services as repair_services
from repairs.models import Ticket
from repairs.paidservices.models import Order
from tests.factories import make_estate, make_staff, make_unit
from tests.paidservices.factories import make_service


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(client, db):
    estate = make_estate(code="PA01")
    make_unit(estate, "1-1-101")
    user = make_staff(estate, "front_desk")
    client.force_login(user)
    return estate, user


ORDER = {"estate": "PA01", "unit_number": "1-1-101", "name": "王伟", "phone": "13812345678"}


def test_catalogue_order_quote_confirm_and_the_list(client, desk):
    estate, user = desk
    fixed = make_service(estate)
    quoted = make_service(
        estate, code="paint", name="墙面粉刷", pricing="quoted", category_code="paint"
    )
    r = client.get("/api/v1/paid-services?estate=PA01")
    assert r.status_code == 200
    assert [(s["name"], s["price"]) for s in r.json()] == [
        ("墙面粉刷", None),
        ("管道疏通", "80.00"),
    ]

    r = post(client, "/api/v1/paid-service-orders", ORDER | {"service": fixed.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["price"] == "80.00" and body["status"] == "submitted"
    assert body["start_refused"] is None and body["unit_number"] == "1-1-101"
    assert Ticket.objects.get(pk=body["ticket"]).service_charge == Decimal("80.00")

    r = post(client, "/api/v1/paid-service-orders", ORDER | {"service": quoted.pk})
    order = r.json()["id"]
    assert r.json()["start_refused"] and r.json()["price"] is None
    r = post(client, f"/api/v1/paid-service-orders/{order}/confirm", {"how": "电话"})
    assert r.status_code == 422 and r.json()["field"] == "how"  # nothing to confirm yet
    r = post(client, f"/api/v1/paid-service-orders/{order}/quote", {"amount": "350.5"})
    assert r.status_code == 200 and r.json()["price"] == "350.50"
    r = post(client, f"/api/v1/paid-service-orders/{order}/confirm", {"how": "电话确认"})
    assert r.status_code == 200 and r.json()["start_refused"] is None
    assert r.json()["quote_confirmed_at"].endswith("+08:00")
    again = post(client, f"/api/v1/paid-service-orders/{order}/confirm", {"how": "电话确认"})
    assert again.status_code == 409

    r = client.get("/api/v1/paid-service-orders?estate=PA01")
    assert r.json()["count"] == 2 and r.json()["items"][0]["id"] == order
    r = client.get(f"/api/v1/paid-service-orders?estate=PA01&service={fixed.pk}")
    assert [o["service"] for o in r.json()["items"]] == [fixed.pk]
    assert client.get(f"/api/v1/paid-service-orders/{order}").json()["price"] == "350.50"


def test_an_order_resolved_through_the_tickets_api_is_billed_once(client, desk):
    estate, user = desk
    order = post(
        client, "/api/v1/paid-service-orders", ORDER | {"service": make_service(estate).pk}
    ).json()
    tech = make_staff(estate, "technician")
    ticket = Ticket.objects.get(pk=order["ticket"])
    repair_services.ticket_dispatch(ticket=ticket, by=user, assignee=tech)
    client.force_login(tech)
    r = post(client, f"/api/v1/tickets/{ticket.pk}/resolve", {"note": "好了"})
    assert r.status_code == 200
    assert Bill.objects.get().amount_due == Decimal("80.00")
    # The technician reads the order, but ordering and quoting are the desk's.
    assert client.get(f"/api/v1/paid-service-orders/{order['id']}").json()["billed_at"]
    r = post(client, f"/api/v1/paid-service-orders/{order['id']}/quote", {"amount": "1"})
    assert r.status_code == 403
    client.force_login(user)
    post(client, f"/api/v1/tickets/{ticket.pk}/reopen", {"reason": "又堵了"})
    post(client, f"/api/v1/tickets/{ticket.pk}/resolve", {"note": "又通了"})
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved" and Bill.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": 999999}, "service"),
        ({"unit_number": "9-9-999"}, "unit_number"),
        ({"unit_number": None}, "unit"),
        ({"phone": "123"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"service": "abc"}, "service"),
    ],
)
def test_bad_orders_name_the_field_and_save_nothing(client, desk, change, field):
    estate, _user = desk
    body = ORDER | {"service": make_service(estate).pk} | change
    r = post(client, "/api/v1/paid-service-orders", body)
    assert r.status_code in (400, 422), r.content
    assert r.json()["code"] == "invalid" and r.json()["field"] == field, r.json()
    assert not Order.objects.exists() and not Ticket.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", "NaN", "1e12"])
def test_a_bad_quote_names_the_amount(client, desk, amount):
    estate, _user = desk
    service = make_service(estate, code="paint", pricing="quoted")
    order = post(client, "/api/v1/paid-service-orders", ORDER | {"service": service.pk}).json()
    r = post(client, f"/api/v1/paid-service-orders/{order['id']}/quote", {"amount": amount})
    assert r.status_code == 422 and r.json()["field"] == "amount", r.content
    assert Order.objects.get().price is None


def test_another_estates_service_or_unit_is_refused(client, desk):
    other = make_estate(code="PA02")
    theirs = make_service(other, code="theirs")
    their_unit = make_unit(other, "2-2-202")
    r = post(client, "/api/v1/paid-service-orders", ORDER | {"service": theirs.pk})
    assert r.status_code == 422 and r.json()["field"] == "service"
    own = make_service(desk[0], category_code="own")
    body = ORDER | {"service": own.pk, "unit": their_unit.pk}
    r = post(client, "/api/v1/paid-service-orders", body)
    assert r.status_code == 422 and r.json()["field"] == "unit"
    assert not Order.objects.exists()


@pytest.mark.parametrize("rows", [1, 4])
def test_orders_list_runs_a_fixed_number_of_queries(client, desk, django_assert_num_queries, rows):
    estate, user = desk
    service = make_service(estate)
    from repairs.paidservices import services

    for n in range(rows):
        services.order_create(
            estate=estate,
            service=service,
            unit=make_unit(estate, f"3-1-{n}"),
            name="王伟",
            phone="13812345678",
            by=user,
        )
    # session, user, user and group permissions (company admin?), memberships, the estate by
    # code, the page (orders with estate, service, ticket and unit joined), the count
    with django_assert_num_queries(8):
        r = client.get("/api/v1/paid-service-orders?estate=PA01&limit=3")
    assert r.json()["count"] == rows and len(r.json()["items"]) == min(rows, 3)
