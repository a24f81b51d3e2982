"""What the ticket pages can do, the API does under the same rules (issue 14: "where a point
names a page, the same behaviour holds in the API"): a manager restores a ticket cancelled by
mistake, a return visit that finds the problem not solved reopens the ticket in the same
step, resolving needs a completion note; the queue's "open" status group and its "waiting for
a return visit" filter."""

import json

import pytest

from repairs import services
from repairs.models import Ticket
from tests.factories import make_staff
from tests.repairs.factories import make_ticket

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


def _resolved(estate, desk):
    ticket = make_ticket(estate)
    services.ticket_accept(ticket=ticket, by=desk)
    return services.ticket_resolve(ticket=ticket, by=desk, note="换了阀门")


def test_a_manager_restores_a_cancelled_ticket_through_the_api(client, estate_a, desk):
    ticket = make_ticket(estate_a)
    services.ticket_accept(ticket=ticket, by=desk)
    services.ticket_cancel(ticket=ticket, by=desk, reason="duplicate")
    url = f"/api/v1/tickets/{ticket.pk}/restore"

    client.force_login(desk)  # the front desk cancels; only a manager restores
    assert _post(client, url, {"reason": "误作废"}).status_code == 403
    client.force_login(make_staff(estate_a, "manager"))
    refused = _post(client, url, {"reason": "  "})
    assert (refused.status_code, refused.json()["field"]) == (422, "reason")
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CANCELLED

    response = _post(client, url, {"reason": "误作废"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"  # the status it had when it was cancelled
    assert body["cancelled_at"] is None and body["cancel_reason"] is None
    assert (body["history"][-1]["kind"], body["history"][-1]["note"]) == ("restored", "误作废")
    again = _post(client, url, {"reason": "误作废"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_restore_of_another_estates_ticket_is_404(client, estate_a, estate_b, desk):
    ticket = make_ticket(estate_a)
    services.ticket_cancel(ticket=ticket, by=desk, reason="invalid")
    client.force_login(make_staff(estate_b, "manager"))
    response = _post(client, f"/api/v1/tickets/{ticket.pk}/restore", {"reason": "误作废"})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CANCELLED


def test_a_return_visit_not_solved_reopens_the_ticket_in_the_same_call(client, estate_a, desk):
    ticket = _resolved(estate_a, desk)
    client.force_login(desk)
    url = f"/api/v1/tickets/{ticket.pk}/return-visits"
    response = _post(
        client,
        url,
        {"reached": True, "solved": False, "rating": 2, "comment": "还在漏", "reopen": True},
    )
    assert response.status_code == 201, response.content
    assert response.json()["solved"] is False
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ACCEPTED and ticket.reopen_count == 1
    assert ticket.resolved_at is None
    reopened = ticket.history.filter(kind="reopened").get()
    assert "还在漏" in reopened.note  # the visit's comment carried over as the reason


def test_reopen_on_a_visit_that_found_it_solved_is_a_field_error(client, estate_a, desk):
    ticket = _resolved(estate_a, desk)
    client.force_login(desk)
    response = _post(
        client,
        f"/api/v1/tickets/{ticket.pk}/return-visits",
        {"reached": True, "solved": True, "rating": 5, "reopen": True},
    )
    assert (response.status_code, response.json()["field"]) == (422, "reopen")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED and ticket.return_visits.count() == 0


def test_return_visit_of_another_estates_ticket_is_404(client, estate_a, estate_b, desk):
    ticket = _resolved(estate_a, desk)
    client.force_login(make_staff(estate_b, "front_desk"))
    response = _post(
        client,
        f"/api/v1/tickets/{ticket.pk}/return-visits",
        {"reached": True, "solved": False, "reopen": True},
    )
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}])
def test_resolving_through_the_api_needs_a_completion_note(client, estate_a, desk, body):
    ticket = make_ticket(estate_a)
    services.ticket_accept(ticket=ticket, by=desk)
    client.force_login(desk)
    response = _post(client, f"/api/v1/tickets/{ticket.pk}/resolve", body)
    assert response.status_code == 422
    assert response.json()["field"] == "note"
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.ACCEPTED
    done = _post(client, f"/api/v1/tickets/{ticket.pk}/resolve", {"note": "换了阀门"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert done.json()["history"][-1]["note"] == "换了阀门"


def test_resolve_of_another_estates_ticket_is_404_before_the_note(client, estate_a, estate_b):
    ticket = make_ticket(estate_a)
    client.force_login(make_staff(estate_b, "front_desk"))
    assert _post(client, f"/api/v1/tickets/{ticket.pk}/resolve", {}).status_code == 404


def test_api_filters_by_the_open_group_and_by_visits_to_make(client, estate_a, desk):
    submitted = make_ticket(estate_a)
    held = make_ticket(estate_a)
    services.ticket_accept(ticket=held, by=desk)
    services.ticket_hold(ticket=held, by=desk, reason="业主不在")
    waiting = _resolved(estate_a, desk)
    visited = _resolved(estate_a, desk)
    services.return_visit_record(ticket=visited, by=desk, reached=True, solved=True, rating=5)
    cancelled = make_ticket(estate_a)
    services.ticket_cancel(ticket=cancelled, by=desk, reason="invalid")
    client.force_login(desk)

    def ids(**params):
        response = client.get("/api/v1/tickets", {"estate": "HY01", **params})
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(status="open") == {submitted.pk, held.pk}
    assert ids(visit="due") == {waiting.pk}
    assert client.get("/api/v1/tickets", {"visit": "someday"}).status_code == 422
