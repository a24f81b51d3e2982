"""The transition table is the one source: for every status and every role, the buttons a page
shows are exactly the actions the service accepts (each tried in a savepoint and rolled back).
Covers the staff ticket page, the technician's "my tickets" and the resident's tracking page
(including after the reopen window has closed)."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from PIL import Image

from estate.errors import DomainError
from repairs import services
from repairs import workflow as wf
from repairs.models import Ticket
from repairs.views.ticket import ACTIONS
from tests.factories import make_staff, make_unit
from tests.repairs.factories import make_department, make_ticket

pytestmark = pytest.mark.django_db

STATES = [
    "submitted",
    "accepted",
    "dispatched",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
    "resolved_window_closed",
    "closed_window_closed",
    "resolved_rated",
]
ROLES = ["front_desk", "technician", "manager", "admin", "finance"]


class _Rollback(Exception):
    pass


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(buf, format="PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")


def _staff_runs(department):
    """Each staff action through its service, with valid inputs."""
    return {
        "accept": lambda t, u: services.ticket_accept(ticket=t, by=u),
        "dispatch": lambda t, u: services.ticket_dispatch(ticket=t, by=u, department=department),
        "start": lambda t, u: services.ticket_start(ticket=t, by=u),
        "hold": lambda t, u: services.ticket_hold(ticket=t, by=u, reason="等业主"),
        "resume": lambda t, u: services.ticket_resume(ticket=t, by=u),
        "resolve": lambda t, u: services.ticket_resolve(ticket=t, by=u),
        "close": lambda t, u: services.ticket_close(ticket=t, by=u, outcome="solved"),
        "reopen": lambda t, u: services.ticket_reopen(ticket=t, by=u, reason="又漏了"),
        "cancel": lambda t, u: services.ticket_cancel(ticket=t, by=u, reason="duplicate"),
        "restore": lambda t, u: services.ticket_restore(ticket=t, by=u, reason="误作废"),
        "visit": lambda t, u: services.return_visit_record(ticket=t, by=u, reached=True, rating=5),
        "charge": lambda t, u: services.ticket_charge_set(ticket=t, by=u, amount="80.00"),
        "photo": lambda t, u: services.ticket_photo_add(ticket=t, by=u, photo=_png()),
    }


RESIDENT_RUNS = {
    "rate": lambda t: services.ticket_rate_by_resident(ticket=t, rating=5),
    "not_solved": lambda t: services.ticket_reopen(ticket=t, by=None, reason="没修好"),
}


def _accepted(run) -> bool:
    """Whether the service accepts the action now; nothing it wrote survives."""
    try:
        with transaction.atomic():
            run()
            raise _Rollback
    except _Rollback:
        return True
    except DomainError:
        return False


def _build(state: str, estate, boss, tech, department) -> Ticket:
    t = make_ticket(estate, unit=make_unit(estate))
    if state == "submitted":
        return t
    t = services.ticket_accept(ticket=t, by=boss)
    if state == "cancelled":
        return services.ticket_cancel(ticket=t, by=boss, reason="invalid")
    if state == "accepted":
        return t
    if state == "on_hold":
        return services.ticket_hold(ticket=t, by=boss, reason="等配件")
    t = services.ticket_dispatch(ticket=t, by=boss, assignee=tech, department=department)
    if state == "dispatched":
        return t
    t = services.ticket_start(ticket=t, by=tech)
    if state == "in_progress":
        return t
    t = services.ticket_resolve(ticket=t, by=tech)
    if state.startswith("closed"):
        t = services.ticket_close(ticket=t, by=boss, outcome="solved")
    if state == "resolved_rated":
        services.ticket_rate_by_resident(ticket=t, rating=4)
    if state.endswith("window_closed"):
        ago = wf.reopen_window() + dt.timedelta(hours=1)
        Ticket.objects.filter(pk=t.pk).update(
            resolved_at=F("resolved_at") - ago, closed_at=F("closed_at") - ago
        )
    return Ticket.objects.get(pk=t.pk)


@pytest.fixture
def world(estate_a):
    boss = make_staff(estate_a, "admin", username="boss")
    tech = make_staff(estate_a, "technician", username="laozhang")
    return {"boss": boss, "tech": tech, "department": make_department(estate_a)}


def _user(estate, role, world):
    return world["tech"] if role == "technician" else make_staff(estate, role, username=role)


def test_every_staff_action_has_its_form_on_the_page():
    assert set(ACTIONS) == set(wf.STAFF_ACTIONS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_ticket_page_buttons_are_what_the_service_accepts(client, estate_a, world, state, role):
    ticket = _build(state, estate_a, world["boss"], world["tech"], world["department"])
    user = _user(estate_a, role, world)
    client.force_login(user)
    response = client.get(reverse("repairs:ticket_detail", args=[ticket.pk]))
    assert response.status_code in (200, 404)  # 404: a role that does not see tickets
    shown = set(re.findall(r'<form[^>]* id="action-(\w+)"', response.content.decode()))
    runs = _staff_runs(world["department"])
    accepted = {a for a, run in runs.items() if _accepted(lambda r=run: r(ticket, user))}
    assert shown == accepted
    assert accepted == set(wf.allowed_actions(ticket, user))


@pytest.mark.parametrize("role", ["technician", "front_desk"])
@pytest.mark.parametrize("state", ["accepted", "dispatched", "in_progress", "on_hold"])
def test_my_tickets_taps_are_what_the_service_accepts(client, estate_a, world, state, role):
    ticket = _build(state, estate_a, world["boss"], world["tech"], world["department"])
    user = _user(estate_a, role, world)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=user)
    ticket.refresh_from_db()
    client.force_login(user)
    html = client.get(reverse("repairs:mine")).content.decode()
    shown = set(re.findall(rf"/{ticket.pk}/do/(\w+)/", html))
    runs = _staff_runs(world["department"])
    taps = ("start", "resolve", "resume", "hold")
    accepted = {a for a in taps if _accepted(lambda a=a: runs[a](ticket, user))}
    assert shown == accepted and shown  # every open ticket offers at least one tap


@pytest.mark.parametrize("state", STATES)
def test_tracking_page_offers_what_the_resident_may_do(client, estate_a, world, state):
    ticket = _build(state, estate_a, world["boss"], world["tech"], world["department"])
    html = client.get(f"/r/{estate_a.code}/t/{ticket.tracking_code}/").content.decode()
    shown = {
        action
        for action, form_id in (("rate", "rate-form"), ("not_solved", "not-solved-form"))
        if f'id="{form_id}"' in html
    }
    accepted = {a for a, run in RESIDENT_RUNS.items() if _accepted(lambda r=run: r(ticket))}
    assert shown == accepted == set(wf.resident_actions(ticket))


def test_resident_is_not_offered_reopen_after_the_window(client, estate_a, world):
    ticket = _build("closed_window_closed", estate_a, world["boss"], world["tech"], None)
    html = client.get(f"/r/{estate_a.code}/t/{ticket.tracking_code}/").content.decode()
    assert 'id="not-solved-form"' not in html
    with pytest.raises(DomainError) as err:
        services.ticket_reopen(ticket=ticket, by=None, reason="没修好")
    assert err.value.status == 409 and ticket.number in err.value.message


def test_refusals_name_the_rule(estate_a, world):
    ticket = _build("submitted", estate_a, world["boss"], world["tech"], world["department"])
    assert wf.can_accept(ticket, world["boss"]) and not wf.can_accept(ticket, world["tech"])
    assert not wf.can_resolve(ticket, world["boss"])
    error = wf.refusal(ticket, "resolve", world["boss"])
    assert error.status == 409 and ticket.number in error.message
    assert wf.refusal(ticket, "accept", None).status == 403  # staff only
    assert wf.refusal(ticket, "rate", world["boss"]).status == 403  # the resident only
