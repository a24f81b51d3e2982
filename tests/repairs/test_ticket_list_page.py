"""The ticket list's page (repairs.selectors.ticket_list_page, GET /api/v1/tickets): ids first,
merged per estate, then the rows. Whatever the estates, filters and page, the answer is the
plain query's: the same tickets, in the same order, with the same fields, and the same count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from estate.models import Membership
from repairs import selectors, services
from repairs.api.schemas import TicketFromModel, list_item
from repairs.models import Ticket
from tests.factories import make_estate, make_staff, make_unit
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"kind": "repair"},
    {"status": "open"},
    {"overdue": True},
    {"overdue": False},
    {"reported_from": "2026-10-02", "reported_to": "2026-10-03"},
    {"q": "王"},
    {"category": "plumbing"},
]
PAGES = [(0, 1), (0, 5), (3, 4), (7, 50), (30, 5)]


@pytest.fixture
def spread(estate_a, estate_b):
    """A clerk of two estates and a technician in a third, with tickets of the three estates
    reported at the very same moments (ties broken by id only)."""
    estate_c = make_estate("HC03")
    desk = make_staff(estate_a, "front_desk")
    Membership.objects.create(user=desk, estate=estate_b, role="front_desk")
    Membership.objects.create(user=desk, estate=estate_c, role="technician")
    by = make_staff(estate_c, "front_desk")
    moments = ["2026-10-01 09:00", "2026-10-02 09:00", "2026-10-02 09:00", "2026-10-03 18:30"]
    for estate in (estate_a, estate_b, estate_c):
        plumbing = make_category(estate, code="plumbing")
        other = make_category(estate, "complaint", code="noise")
        for i, moment in enumerate(moments * 2):
            ticket = make_ticket(
                estate,
                category=plumbing if i % 3 else other,
                kind="repair" if i % 3 else "complaint",
                unit=make_unit(estate),
                reporter_name="王伟" if i % 2 else "李娜",
                now=at(moment),
            )
            if estate is estate_c and i % 2:  # the clerk sees only what is dispatched to them
                services.ticket_dispatch(ticket=ticket, by=by, assignee=desk, now=at(moment))
    # a few closed (not overdue, not open), one of them of the estate seen in part
    closed = Ticket.objects.order_by("id").values_list("id", flat=True)[::5]
    Ticket.objects.filter(pk__in=list(closed)).update(
        status=Ticket.Status.CLOSED, outcome=Ticket.Outcome.SOLVED
    )
    return desk


def _plain(user, offset, limit, **filters):
    """What the list answered before the deferred join: the whole query, sliced."""
    qs = selectors.ticket_list(user=user, now=timezone.now(), **filters)
    return [
        TicketFromModel.from_orm(t).model_dump(mode="json") for t in qs[offset : offset + limit]
    ]


@pytest.mark.parametrize("filters", FILTERS)
def test_every_page_equals_the_plain_querys(client, spread, filters):
    client.force_login(spread)
    assert Ticket.objects.count() == 24
    seen = 0
    for offset, limit in PAGES:
        body = client.get("/api/v1/tickets", {**filters, "offset": offset, "limit": limit}).json()
        expected = _plain(spread, offset, limit, **_typed(filters))
        assert body["items"] == expected
        assert body["count"] == selectors.ticket_list(user=spread, **_typed(filters)).count()
        seen += len(expected)
    assert seen > 0


def test_english_category_names_as_the_model_shows_them(client, spread):
    from django.utils import translation

    from repairs.models import Category

    Category.objects.filter(code="plumbing").update(name_en="Plumbing")
    client.force_login(spread)
    body = client.get("/api/v1/tickets", {"limit": 30}, HTTP_ACCEPT_LANGUAGE="en").json()
    with translation.override("en"):
        assert body["items"] == _plain(spread, 0, 30)
    assert {item["category_name"] for item in body["items"]} >= {"Plumbing"}


def test_ties_across_estates_are_ordered_by_id(client, spread):
    client.force_login(spread)
    items = client.get("/api/v1/tickets", {"limit": 200}).json()["items"]
    keys = [(item["reported_at"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    assert len({item["estate"] for item in items}) == 3
    # 8 of HY01, 8 of HB02 and the 4 of HC03 dispatched to the clerk
    assert len(items) == 20
    tied = [item for item in items if item["reported_at"].startswith("2026-10-02T09:00")]
    assert len({item["estate"] for item in tied}) == 3


def test_the_page_runs_three_queries_whatever_its_size(spread):
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            items, count = selectors.ticket_list_page(user=spread, offset=0, limit=limit)
            for row in items:
                list_item(row)
        assert len(ctx.captured_queries) == 3, [q["sql"] for q in ctx.captured_queries]
        assert len(items) == min(limit, 20) and count == 20


def _typed(filters: dict) -> dict:
    """The API's query parameters as the selector takes them."""
    import datetime as dt

    out = dict(filters)
    for key in ("reported_from", "reported_to"):
        if key in out:
            out[key] = dt.date.fromisoformat(out[key])
    return out
