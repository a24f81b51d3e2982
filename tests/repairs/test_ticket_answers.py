"""The creation's answer (POST /api/v1/tickets) is written as JSON directly
(repairs.api.answers.ticket_detail), not validated and dumped through TicketDetailOut: it must
be the very bytes the schema gave for the same ticket, for every kind, with a unit or a common
area, in Chinese and in English, in any zone, whoever logs it; and the schema must still
document it."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from ninja.responses import NinjaJSONEncoder
from PIL import Image

from estate import scoping
from estate.models import AccessLog, Role
from repairs import selectors, services
from repairs.api.answers import ticket_detail
from repairs.api.schemas import TicketDetailOut
from repairs.models import Ticket
from tests.factories import make_company_admin, make_estate, make_staff, make_unit
from tests.repairs.factories import make_category, make_department, make_ticket

pytestmark = pytest.mark.django_db

UNMASK = "personal_data.view_unmasked"


def _schema_json(ticket) -> str:
    """What ninja answered for the ticket: TicketDetailOut validated, dumped and rendered."""
    return json.dumps(TicketDetailOut.from_orm(ticket).model_dump(), cls=NinjaJSONEncoder)


def _post(client, body, **headers):
    return client.post(
        "/api/v1/tickets", data=json.dumps(body), content_type="application/json", **headers
    )


@pytest.fixture
def categories(estate_a):
    """One category of each kind a desk logs, one of them with an English name."""
    return {
        "repair": make_category(estate_a, code="plumbing", name="给排水", name_en="Plumbing"),
        "complaint": make_category(estate_a, "complaint", code="noise", name="噪音"),
        "suggestion": make_category(estate_a, "suggestion", code="idea", name="建议"),
    }


CASES = [
    {"kind": "repair", "category": "plumbing", "unit": True},
    {"kind": "repair", "category": "plumbing", "common_area": "1号楼大堂", "phone": "057188886666"},
    {"kind": "complaint", "category": "noise", "unit": True, "major_complaint": True},
    {"kind": "complaint", "category": "noise", "common_area": "地下车库"},
    {"kind": "suggestion", "category": "idea", "priority": "urgent"},
    {"kind": "repair", "category": "plumbing", "unit": True, "priority": "emergency"},
    {"kind": "repair", "category": "plumbing", "unit": True, "visit": True},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["front_desk", "manager", "admin", "company", "no_unmask"])
def test_the_creations_answer_is_the_schemas_json(
    client, estate_a, categories, role, language, monkeypatch
):
    """Byte for byte what the schema gives for the ticket just written and for the same ticket
    read back; the phone masked for every role, the one that may see it unmasked too, and no
    unmasked view logged by a creation."""
    if role == "no_unmask":  # a desk role that may not see the full number
        allowed = scoping.actions()[UNMASK] - {Role.FRONT_DESK}
        monkeypatch.setitem(scoping._ACTIONS, UNMASK, allowed)
    user = make_company_admin() if role == "company" else make_staff(estate_a, "front_desk")
    if role in ("manager", "admin"):
        user = make_staff(estate_a, role)
    client.force_login(user)
    assert scoping.can(user, estate_a, UNMASK) is (role != "no_unmask")
    for case in CASES:
        body = {
            "estate": "HY01",
            "kind": case["kind"],
            "category": case["category"],
            "priority": case.get("priority", "normal"),
            "channel": "front_desk",
            "description": '厨房水管漏水 "quoted" \\ 🚰',
            "reporter_name": "王伟",
            "reporter_phone": case.get("phone", "13812345678"),
            "common_area": case.get("common_area", ""),
            "major_complaint": case.get("major_complaint", False),
        }
        if case.get("unit"):
            body["unit"] = make_unit(estate_a).pk
        if case.get("visit"):  # with microseconds, given in another zone
            when = timezone.now() + dt.timedelta(days=2, microseconds=654321)
            body["preferred_visit_time"] = when.astimezone(dt.UTC).isoformat()
        response = _post(client, body, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 201, response.content
        answer = response.content.decode()
        ticket = selectors.ticket_detail(user=user, ticket_id=response.json()["id"])
        with translation.override(language):
            assert answer == _schema_json(ticket), case
        read_back = client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_ACCEPT_LANGUAGE=language)
        assert answer == read_back.content.decode()
        shown = response.json()
        assert shown["reporter_phone"] in ("138****5678", "057*****6666")
        english = language == "en" and case["category"] == "plumbing"
        assert shown["category_name"] == ("Plumbing" if english else categories[case["kind"]].name)
    assert not AccessLog.objects.exists()


def test_the_answer_in_another_zone_ends_in_its_offset(client, categories):
    """An estate in New York: the answer's moments are in its zone, as the schema's."""
    estate = make_estate("NY01", tz="America/New_York")
    make_category(estate, code="plumbing", name="给排水")
    user = make_staff(estate, "front_desk")
    client.force_login(user)
    body = {
        "estate": "NY01",
        "kind": "repair",
        "category": "plumbing",
        "description": "leak",
        "reporter_name": "Ann",
        "reporter_phone": "13812345678",
        "unit": make_unit(estate).pk,
    }
    response = _post(client, body)
    assert response.status_code == 201, response.content
    ticket = selectors.ticket_detail(user=user, ticket_id=response.json()["id"])
    assert response.content.decode() == _schema_json(ticket)
    assert response.json()["reported_at"][-6:] in ("-04:00", "-05:00")


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (12, 10)).save(buf, format="PNG")
    return SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kathmandu"])
def test_a_ticket_through_its_whole_life_is_written_as_the_schema_writes_it(tz):
    """Not only a new ticket: every field the detail has, filled (assignee, department,
    history by staff and by the resident, photos, return visits, hold, charge, reopening,
    closing), in zones with and without daylight saving and a quarter-hour offset, moments
    with microseconds and across a year's turn, read as the detail endpoint reads it."""
    estate = make_estate("LF01", tz=tz)
    desk = make_staff(estate, "front_desk")
    tech = make_staff(estate, "technician")
    category = make_category(estate, code="plumbing", name="给排水", name_en="Plumbing")
    start = dt.datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=dt.UTC)
    step = iter(dt.timedelta(minutes=17 * i, microseconds=1001 * i) for i in range(1, 40))
    ticket = make_ticket(estate, category=category, now=start, photos=[_png()])
    services.ticket_photo_add(ticket=ticket, photo=_png(), by=desk, now=start + next(step))
    services.ticket_accept(ticket=ticket, by=desk, now=start + next(step))
    services.ticket_dispatch(
        ticket=ticket,
        by=desk,
        assignee=tech,
        department=make_department(estate),
        now=start + next(step),
    )
    services.ticket_start(ticket=ticket, by=tech, now=start + next(step))
    services.ticket_hold(ticket=ticket, by=tech, reason="等配件", now=start + next(step))
    services.ticket_resume(ticket=ticket, by=tech, now=start + next(step))
    services.ticket_charge_set(ticket=ticket, by=desk, amount="80.5", now=start + next(step))
    services.ticket_resolve(ticket=ticket, by=tech, note="换了阀门", now=start + next(step))
    services.return_visit_record(ticket=ticket, by=desk, reached=False, now=start + next(step))
    services.return_visit_record(
        ticket=ticket,
        by=desk,
        reached=True,
        solved=False,
        rating=2,
        comment="还漏",
        reopen=True,
        now=start + next(step),
    )
    services.ticket_resolve(ticket=ticket, by=tech, note="再修", now=start + next(step))
    services.ticket_close(ticket=ticket, by=desk, outcome="solved", now=start + next(step))
    cancelled = make_ticket(estate, category=category, common_area="大堂", now=start)
    services.ticket_cancel(ticket=cancelled, by=desk, reason="duplicate", now=start)

    for pk in (ticket.pk, cancelled.pk):
        loaded = selectors.ticket_detail(user=desk, ticket_id=pk)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                mine = json.dumps(ticket_detail(loaded), cls=NinjaJSONEncoder)
                assert mine == _schema_json(loaded), (pk, language)
    shown = ticket_detail(selectors.ticket_detail(user=desk, ticket_id=ticket.pk))
    assert len(shown["photos"]) == 2 and len(shown["return_visits"]) == 2
    assert shown["assignee"] == tech.get_username() and shown["service_charge"] == "80.50"
    assert shown["status"] == Ticket.Status.CLOSED and shown["reopen_count"] == 1


def test_the_openapi_document_still_names_the_schema(client):
    created = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/tickets"]["post"]
    schema = created["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/TicketDetailOut"}
