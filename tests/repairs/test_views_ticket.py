"""The ticket page: fields and history, every transition as a form for the user's role, refusals
shown as messages (never a 500), the return visit, the charge, photos, and the full phone only
for allowed roles with an access-log row per view."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from estate.models import AccessLog
from repairs import services
from repairs.models import ReturnVisit, TicketEvent
from tests.factories import make_staff, make_unit
from tests.repairs.factories import make_department, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_user(estate_a):
    return make_staff(estate_a, "front_desk", username="xiaoli")


@pytest.fixture
def tech(estate_a):
    return make_staff(estate_a, "technician", username="laozhang")


@pytest.fixture
def ticket(estate_a):
    return make_ticket(estate_a, unit=make_unit(estate_a, "3-2-1501"), reporter_phone="13812345678")


def _detail(t):
    return reverse("repairs:ticket_detail", args=[t.pk])


def _do(client, t, action, **data):
    """Post the action's form as its last step (the confirmation page's button, for the
    actions that ask for one)."""
    url = reverse("repairs:ticket_action", args=[t.pk, action])
    return client.post(url, {f"{action}-{k}": v for k, v in data.items()} | {"confirmed": "1"})


def _offered(html: str) -> set[str]:
    return set(re.findall(r'id="action-(\w+)"', html))


def test_the_whole_life_of_a_ticket_through_the_page(client, estate_a, desk_user, tech, ticket):
    client.force_login(desk_user)
    assert _do(client, ticket, "accept", note="已受理").status_code == 302
    department = make_department(estate_a)
    assert (
        _do(client, ticket, "dispatch", assignee=tech.pk, department=department.pk).status_code
        == 302
    )
    client.force_login(tech)
    for action, data in [
        ("start", {}),
        ("hold", {"reason": "业主不在家"}),
        ("resume", {}),
        ("resolve", {"note": "已更换阀门"}),
    ]:
        assert _do(client, ticket, action, **data).status_code == 302, action
    client.force_login(desk_user)
    assert (
        _do(
            client, ticket, "visit", reached="1", solved="1", rating="5", comment="很满意"
        ).status_code
        == 302
    )
    assert _do(client, ticket, "close", outcome="solved").status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.return_visit_rating) == ("closed", "solved", 5)
    assert ticket.assignee == tech and ticket.department == department
    html = client.get(_detail(ticket)).content.decode()
    history = re.search(r'<ol class="timeline" id="history">(.*?)</ol>', html, re.S).group(1)
    kinds = list(ticket.history.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "accepted",
        "dispatched",
        "started",
        "held",
        "resumed",
        "resolved",
        "return_visit",
        "closed",
    ]
    assert history.count("<li>") == len(kinds)
    assert "业主不在家" in history and "已更换阀门" in history and "laozhang" in history
    assert "xiaoli" in history
    held = TicketEvent.objects.get(ticket=ticket, kind="held")
    assert f"{held.get_from_status_display()} → {held.get_to_status_display()}" in history
    assert "很满意" in html  # the return visit's comment


def test_the_page_shows_every_field(client, desk_user, ticket):
    client.force_login(desk_user)
    html = client.get(_detail(ticket)).content.decode()
    for text in (
        ticket.number,
        "3-2-1501",
        "王伟",
        "138****5678",
        "厨房水管漏水",
        ticket.category.name,
    ):
        assert text in html
    local = ticket.resolve_due_at.astimezone(ticket.estate.tz).strftime("%Y-%m-%d %H:%M")
    assert local in html


def test_front_desk_is_offered_the_desk_transitions(client, desk_user, ticket):
    client.force_login(desk_user)
    offered = _offered(client.get(_detail(ticket)).content.decode())
    assert offered == {"accept", "dispatch", "hold", "cancel", "charge", "photo"}


def test_a_technician_cannot_close_or_cancel(client, desk_user, tech, ticket):
    services.ticket_accept(ticket=ticket, by=desk_user)
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)  # their own ticket
    services.ticket_resolve(ticket=ticket, by=desk_user)
    client.force_login(tech)
    offered = _offered(client.get(_detail(ticket)).content.decode())
    assert "close" not in offered and "cancel" not in offered and "visit" not in offered
    response = _do(client, ticket, "close", outcome="solved")
    assert response.status_code == 403
    assert 'id="refused"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_a_refused_transition_shows_its_message_not_a_500(client, desk_user, ticket):
    client.force_login(desk_user)
    response = _do(client, ticket, "resolve", note="")  # a submitted ticket is accepted first
    html = response.content.decode()
    assert response.status_code == 409
    refused = re.search(
        r'<div class="card error" role="alert" id="refused">(.*?)</div>', html, re.S
    )
    assert ticket.number in refused.group(1)
    assert ticket.history.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == "submitted"


def test_a_stale_page_gets_the_409_message(client, desk_user, ticket):
    client.force_login(desk_user)
    assert _do(client, ticket, "accept").status_code == 302
    response = _do(client, ticket, "accept")
    assert response.status_code == 409 and ticket.number in response.content.decode()
    assert ticket.history.filter(kind="accepted").count() == 1


def test_hold_without_a_reason_is_refused_beside_the_reason(client, desk_user, ticket):
    client.force_login(desk_user)
    response = _do(client, ticket, "hold", reason="")
    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="field-reason".*?id="id_hold-reason_error"', html, re.S)
    ticket.refresh_from_db()
    assert ticket.status == "submitted"


def test_cancel_needs_a_reason_of_the_list(client, desk_user, ticket):
    client.force_login(desk_user)
    assert _do(client, ticket, "cancel", reason="bored").status_code == 422
    assert _do(client, ticket, "cancel", reason="duplicate", note="同 BX-1").status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.cancel_reason) == ("cancelled", "duplicate")


def test_reopen_after_closing_with_a_reason(client, desk_user, ticket):
    services.ticket_accept(ticket=ticket, by=desk_user)
    services.ticket_resolve(ticket=ticket, by=desk_user)
    services.ticket_close(ticket=ticket, by=desk_user, outcome="solved")
    client.force_login(desk_user)
    assert "reopen" in _offered(client.get(_detail(ticket)).content.decode())
    assert _do(client, ticket, "reopen", reason="又漏了").status_code == 302
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1 and ticket.resolved_at is None


def test_return_visit_that_did_not_reach_the_resident_has_no_answers(client, desk_user, ticket):
    services.ticket_accept(ticket=ticket, by=desk_user)
    services.ticket_resolve(ticket=ticket, by=desk_user)
    client.force_login(desk_user)
    assert _do(client, ticket, "visit", reached="0", comment="无人接听").status_code == 302
    visit = ReturnVisit.objects.get()
    assert (visit.reached, visit.rating, visit.comment) == (False, None, "无人接听")
    bad = _do(client, ticket, "visit", reached="1", rating="9")
    assert bad.status_code == 422 and ReturnVisit.objects.count() == 1


def test_paid_service_charge(client, desk_user, ticket):
    client.force_login(desk_user)
    response = _do(client, ticket, "charge", amount="12.345")
    assert response.status_code == 422
    assert re.search(
        r'id="field-amount".*?id="id_charge-amount_error"', response.content.decode(), re.S
    )
    assert _do(client, ticket, "charge", amount="80.00").status_code == 302
    ticket.refresh_from_db()
    assert str(ticket.service_charge) == "80.00"


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(buf, format="PNG")
    return SimpleUploadedFile("leak.png", buf.getvalue(), content_type="image/png")


def test_photos_are_added_and_served_only_to_staff_of_the_estate(
    client, estate_a, estate_b, desk_user, ticket
):
    client.force_login(desk_user)
    url = reverse("repairs:ticket_action", args=[ticket.pk, "photo"])
    assert client.post(url, {"photo-photo": _png()}).status_code == 302
    photo = ticket.photos.get()
    served = client.get(reverse("repairs:ticket_photo", args=[ticket.pk, photo.pk]))
    assert served.status_code == 200 and served["Content-Type"].startswith("image/")
    bad = client.post(url, {"photo-photo": SimpleUploadedFile("x.png", b"nope")})
    assert bad.status_code == 422 and ticket.photos.count() == 1
    other = make_ticket(estate_a)
    wrong_pair = reverse("repairs:ticket_photo", args=[other.pk, photo.pk])
    assert client.get(wrong_pair).status_code == 404
    client.force_login(make_staff(estate_b, "manager"))
    assert (
        client.get(reverse("repairs:ticket_photo", args=[ticket.pk, photo.pk])).status_code == 404
    )


# The full phone --------------------------------------------------------------------------------
def test_the_full_phone_is_shown_on_request_and_logged(client, desk_user, ticket):
    client.force_login(desk_user)
    masked = client.get(_detail(ticket)).content.decode()
    assert "13812345678" not in masked and "138****5678" in masked
    assert AccessLog.objects.count() == 0
    shown = client.get(_detail(ticket), {"phone": "1"}).content.decode()
    assert '<a id="reporter-phone" href="tel:13812345678">13812345678</a>' in shown
    log = AccessLog.objects.get()
    assert (log.user, log.estate, log.object_type, log.object_id, log.field) == (
        desk_user,
        ticket.estate,
        "repairs.ticket",
        str(ticket.pk),
        "reporter_phone",
    )
    assert log.path == f"{_detail(ticket)}?phone=1"
    client.get(_detail(ticket), {"phone": "1"})
    assert AccessLog.objects.count() == 2  # every view is logged


def test_a_technician_sees_the_full_phone_only_as_the_assigned_ones_logged_call_link(
    client, desk_user, tech, ticket
):
    other = make_staff(ticket.estate, "technician")
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)
    client.force_login(other)  # not their ticket: not even the page
    assert client.get(_detail(ticket), {"phone": "1"}).status_code == 404
    client.force_login(tech)
    html = client.get(_detail(ticket), {"phone": "1"}).content.decode()
    assert 'href="?phone=1"' not in html  # no reveal button: the call link is all they get
    assert 'href="tel:13812345678"' in html
    assert list(AccessLog.objects.values_list("user", "field")) == [(tech.pk, "reporter_phone")]


def test_lists_never_show_the_full_phone(client, estate_a, desk_user, tech, ticket):
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)
    client.force_login(desk_user)
    assert "13812345678" not in client.get(reverse("repairs:queue")).content.decode()
    client.force_login(tech)
    assert "13812345678" not in client.get(reverse("repairs:mine")).content.decode()
    assert AccessLog.objects.count() == 0


def test_finance_cannot_open_a_ticket(client, estate_a, ticket):
    client.force_login(make_staff(estate_a, "finance"))
    assert client.get(_detail(ticket)).status_code == 404


def test_unknown_action_is_404(client, desk_user, ticket):
    client.force_login(desk_user)
    url = reverse("repairs:ticket_action", args=[ticket.pk, "explode"])
    assert client.post(url).status_code == 404
    assert (
        client.get(reverse("repairs:ticket_action", args=[ticket.pk, "accept"])).status_code == 405
    )


def test_the_page_in_english(client, desk_user, ticket):
    client.force_login(desk_user)
    html = client.get(_detail(ticket), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "History" in html and "Accept" in html
