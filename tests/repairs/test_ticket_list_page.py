"""The ticket list's page (repairs.selectors.ticket_list_page, GET /api/v1/tickets): ids first,
merged per estate, then the rows. Whatever the estates, filters and page, the answer is the
plain query's: the same tickets, in the same order, with the same fields, and the same count."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from estate.localtime import local
from estate.models import Membership
from repairs import selectors, services
from repairs.api.answers import list_item
from repairs.api.schemas import TicketFromModel
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
    # each filter of the endpoint, alone and together, and the estates given or not
    {"status": "resolved"},
    {"status": "closed", "kind": "repair"},
    {"visit": "due"},
    {"category": "noise", "kind": "complaint"},
    {"q": "  李 "},
    {"q": "50%_\\"},
    {"q": "bx-hy01"},
    {"estate": "HY01"},
    {"estate": "HC03"},
    {"estate": "HY02", "reported_from": "2026-10-02", "overdue": False, "q": "王"},
    {"overdue": True, "kind": "repair", "reported_to": "2026-10-03", "category": "plumbing"},
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
    # a few resolved, waiting for their return visit; reporters whose names hold LIKE's
    # wildcards, and one that the unescaped pattern would match
    ids = list(Ticket.objects.order_by("id").values_list("id", flat=True))
    Ticket.objects.filter(pk__in=ids[3::7]).update(
        status=Ticket.Status.RESOLVED, resolved_at=F("reported_at") + dt.timedelta(hours=2)
    )
    Ticket.objects.filter(pk__in=ids[1::11]).update(reporter_name="张50%_\\先生")
    Ticket.objects.filter(pk=ids[2]).update(reporter_name="5000元先生")
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
        assert body["items"] == expected, (offset, limit)
        assert body["count"] == selectors.ticket_list(user=spread, **_typed(filters)).count()
        seen += len(expected)
    assert seen > 0
    # and it was answered by the statements kept for its shape, not by the querysets
    typed = {**_typed(filters), "now": timezone.now()}
    assert selectors._page_statements(spread, typed) is not None


def test_a_kept_statement_answers_each_requests_own_values(client, spread):
    """The list's statements are compiled once per shape (estate.statements): the next request
    of the same shape, with other dates, words, ids and page, gets its own answer."""
    from repairs.models import Category

    client.force_login(spread)
    plumbing = Category.objects.filter(code="plumbing").order_by("id")
    noise = Category.objects.filter(code="noise").order_by("id").first()
    runs = [
        {"q": "王"},
        {"q": "李"},
        {"q": "zz"},
        {"reported_from": "2026-10-01", "reported_to": "2026-10-02"},
        {"reported_from": "2026-10-02", "reported_to": "2026-10-04"},
        {"assignee": spread.pk},
        {"assignee": spread.pk + 1000},
        {"category": str(plumbing[0].pk)},
        {"category": str(plumbing[1].pk)},
        {"category": str(noise.pk), "overdue": True},
        {"category": str(noise.pk), "overdue": True, "offset": 1, "limit": 2},
        {"category": "plumbing", "estate": "HY01"},
        {"category": "noise", "estate": "HY01"},
    ]
    for filters in runs:
        page = {"offset": 0, "limit": 50, **filters}
        body = client.get("/api/v1/tickets", page).json()
        assert "items" in body, (filters, body)
        typed = _typed({k: v for k, v in filters.items() if k not in ("offset", "limit")})
        expected = _plain(spread, page["offset"], page["limit"], **typed)
        assert body["items"] == expected, filters
        assert body["count"] == selectors.ticket_list(user=spread, **typed).count(), filters


@pytest.mark.parametrize("filters", [{"assignee": 10**30}, {"category": "9" * 30}])
def test_an_id_past_the_databases_range_is_answered_as_before(client, spread, filters):
    """Such a page is not compiled into a kept statement: the ORM answers it (no ticket, or
    the API's 422 where the driver refuses the number), never a database error."""
    client.force_login(spread)
    client.get("/api/v1/tickets", {"assignee": 5})  # the shape's statement is kept
    response = client.get("/api/v1/tickets", filters)
    if response.status_code == 422:
        assert response.json()["code"] == "invalid"
    else:
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}


def test_a_company_admin_and_a_technician_see_their_own_lists(client, spread, estate_a):
    from tests.factories import make_company_admin

    boss = make_company_admin()
    tech = make_staff(estate_a, "technician")
    mine = Ticket.objects.filter(estate=estate_a, status="submitted").order_by("id")[:3]
    by = make_staff(estate_a, "manager")
    for ticket in mine:
        services.ticket_dispatch(ticket=ticket, by=by, assignee=tech, now=at("2026-10-04 09:00"))
    for user, total in ((boss, 24), (tech, 3), (spread, 20)):
        client.force_login(user)
        for filters in ({}, {"kind": "repair"}, {"estate": "HY01"}):
            body = client.get("/api/v1/tickets", {"limit": 50, **filters}).json()
            typed = _typed(filters)
            assert body["items"] == _plain(user, 0, 50, **typed)
            assert body["count"] == selectors.ticket_list(user=user, **typed).count()
        assert client.get("/api/v1/tickets").json()["count"] == total


def test_a_role_change_is_seen_by_the_next_page(client, spread, estate_a):
    """The kept statements are keyed by the estates a user sees: a clerk made technician of an
    estate sees only their own work there at the next request."""
    client.force_login(spread)
    assert client.get("/api/v1/tickets", {"estate": "HY01"}).json()["count"] == 8
    Membership.objects.filter(user=spread, estate=estate_a).update(role="technician")
    assert client.get("/api/v1/tickets", {"estate": "HY01"}).json()["count"] == 0
    assert client.get("/api/v1/tickets").json()["count"] == 12


def test_the_answer_is_the_json_ninja_wrote_from_the_schema(client, spread):
    """Moments with microseconds, in a UTC estate and in Shanghai's zone: the list writes them
    as ninja did from TicketPage (validated, dumped, then DjangoJSONEncoder: milliseconds,
    "Z" for UTC), though it now writes its JSON without the schema's round trip."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from estate.models import Estate

    Ticket.objects.filter(estate__code__in=["HY01", "HY02"]).update(
        reported_at=F("reported_at") + dt.timedelta(microseconds=123456),
        first_response_at=F("reported_at") + dt.timedelta(minutes=5, microseconds=999),
    )
    Estate.objects.filter(code="HY02").update(timezone="UTC")
    client.force_login(spread)
    body = client.get("/api/v1/tickets", {"limit": 200}).content.decode()
    qs = selectors.ticket_list(user=spread, now=timezone.now())
    old = {"items": [TicketFromModel.from_orm(t).model_dump() for t in qs], "count": qs.count()}
    assert json.loads(body) == json.loads(json.dumps(old, cls=NinjaJSONEncoder))
    assert ".123+08:00" in body and ".123Z" in body and ".000Z" in body


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
    from estate.models import Estate

    out = dict(filters)
    for key in ("reported_from", "reported_to"):
        if key in out:
            out[key] = dt.date.fromisoformat(out[key])
    if "estate" in out:
        out["estate"] = Estate.objects.get(code=out["estate"])
    if out.pop("visit", None) == "due":
        out["visit_due"] = True
    return out


def test_the_list_index_carries_kind_and_status_on_postgresql():
    """The list filtered by kind or status is read from ticket_list_idx alone (Index.include)."""
    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE columns are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_list_idx'")
        (definition,) = cursor.fetchone()
    assert "(estate_id, reported_at DESC, id DESC) INCLUDE (kind, status)" in definition


def test_a_unit_numbers_beginning_finds_its_tickets_in_the_estates_the_list_holds(
    client, estate_a, estate_b
):
    """``q`` by unit number reads only the units of the list's estates (a short index walk per
    estate, not every unit): a unit of the same number in an estate the user cannot see does
    not bring its tickets."""
    desk = make_staff(estate_a, "front_desk")
    for estate in (estate_a, estate_b):
        category = make_category(estate)
        for number in ("7-2-0301", "7-2-0302", "8-1-0101"):
            make_ticket(estate, category=category, unit=make_unit(estate, number=number))
    client.force_login(desk)
    for q, expected in (("7-2", 2), ("7-2-0302", 1), ("8-", 1), ("9", 0)):
        for params in ({"q": q}, {"q": q, "estate": "HY01"}):
            body = client.get("/api/v1/tickets", params).json()
            assert body["count"] == expected, params
            assert {i["unit"] for i in body["items"]} == {
                n for n in ("7-2-0301", "7-2-0302", "8-1-0101") if n.startswith(q)
            }
            assert {i["estate"] for i in body["items"]} <= {"HY01"}


def test_every_moment_of_a_page_is_written_as_the_schema_wrote_it(client, spread):
    """The rows' moments (written by answers.list_item, not through the schema) are the
    schema's text for each: estates in three zones, moments with and without microseconds
    at the turn of a local day and year, across daylight saving, none, and at the calendar's
    end where a moment has no local time."""
    from estate.models import Estate

    zones = {"HY01": "Asia/Shanghai", "HY02": "America/New_York", "HC03": "Asia/Kathmandu"}
    for code, zone in zones.items():
        Estate.objects.filter(code=code).update(timezone=zone)
    moments = [
        dt.datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=dt.UTC),  # Shanghai's new year
        dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, 5, 0, tzinfo=dt.UTC),  # New York's
        dt.datetime(2026, 12, 31, 18, 15, 0, 1000, tzinfo=dt.UTC),  # Kathmandu's
        dt.datetime(2026, 11, 1, 5, 59, 59, 999999, tzinfo=dt.UTC),  # New York's DST ends
        dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 1, 9, 0, 0, 500, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 20, 0, tzinfo=dt.UTC),  # no local time east of UTC
        None,
    ]
    names = [
        "first_response_at",
        "resolved_at",
        "on_hold_since",
        "closed_at",
        "cancelled_at",
        "return_visited_at",
    ]
    for i, pk in enumerate(Ticket.objects.order_by("id").values_list("id", flat=True)):
        Ticket.objects.filter(pk=pk).update(
            **{name: moments[(i + j) % len(moments)] for j, name in enumerate(names)},
            response_due_at=moments[i % 7],
        )
    client.force_login(spread)
    for language in ("zh-hans", "en"):
        body = client.get("/api/v1/tickets", {"limit": 50}, HTTP_ACCEPT_LANGUAGE=language)
        with translation.override(language):
            assert body.json()["items"] == _as_ninja_wrote(spread)
    texts = {item[name] for item in body.json()["items"] for name in names}
    assert {"2026-12-31T23:59:59.999+08:00", "2027-01-01T00:00:00+08:00"} <= texts
    assert {"2027-01-01T00:00:00-05:00", "2026-11-01T01:00:00-05:00"} <= texts
    assert {"2027-01-01T00:00:00.001+05:45", "9999-12-31T20:00:00Z", None} <= texts


def _as_ninja_wrote(user) -> list:
    """The first 50 items as ninja wrote them from the schema: dumped, then its encoder."""
    import json

    from ninja.responses import NinjaJSONEncoder

    qs = selectors.ticket_list(user=user, now=timezone.now())[:50]
    items = [TicketFromModel.from_orm(t).model_dump() for t in qs]
    return json.loads(json.dumps(items, cls=NinjaJSONEncoder))


def test_the_rows_statement_is_compiled_once_per_page_size(client, spread, monkeypatch):
    """The rows statement is one per page size, compiled once by a process, whatever the
    filters."""
    from estate import statements

    compiled = []

    def counting(*args, **kwargs):
        compiled.append(1)
        return real(*args, **kwargs)

    real = statements.compile_rows
    monkeypatch.setattr(statements, "compile_rows", counting)
    monkeypatch.setattr(selectors, "_STATEMENTS", {})
    client.force_login(spread)
    for filters in ({}, {"kind": "repair"}, {"estate": "HY01"}, {"q": "王"}, {"offset": 2}):
        body = client.get("/api/v1/tickets", {"limit": 3, **filters}).json()
        assert len(body["items"]) == 3
    assert len(compiled) == 1


# Every moment the list can hold, in zones with daylight saving, half-hour, quarter-hour and
# historic offsets with seconds, at the turn of a local day and year, and at the calendar's
# ends where a moment has no local time: list_item's text is the schema's.
UTC = dt.UTC
ZONES = [
    "Asia/Shanghai",
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "America/Sao_Paulo",
]
MICROS = [0, 1, 999, 1000, 123456, 500000, 999999]


def _moments(zone: str) -> list:
    tz = ZoneInfo(zone)
    out = [None]
    for year in (1900, 1970, 2026, 2100):  # historic, epoch, today, past the zone's table
        for month, day, hour, minute, second in ((12, 31, 23, 59, 59), (1, 1, 0, 0, 0)):
            for micro in MICROS:
                wall = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
                out.append(wall.astimezone(UTC))
    for text in (  # daylight saving turns in UTC, a microsecond either side
        "2026-03-08T07:00:00",
        "2026-11-01T06:00:00",
        "2026-03-29T01:00:00",
        "2026-10-25T01:00:00",
        "2026-04-05T15:00:00",
        "2026-09-26T14:00:00",
    ):
        turn = dt.datetime.fromisoformat(text).replace(tzinfo=UTC)
        out += [turn - dt.timedelta(microseconds=1), turn, turn + dt.timedelta(microseconds=1)]
    out += [  # the calendar's ends, and either side of LocalText's short branch
        dt.datetime(1, 1, 1, tzinfo=UTC),
        dt.datetime(1, 1, 1, 15, 0, 0, 1, tzinfo=UTC),
        dt.datetime(1, 1, 2, tzinfo=UTC),
        dt.datetime(1, 1, 1, 23, 59, 59, 999999, tzinfo=UTC),
        dt.datetime(9999, 12, 30, tzinfo=UTC),
        dt.datetime(9999, 12, 30, 0, 0, 0, 1, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 10, 0, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    return out


def _encoded(moment, tz) -> str | None:
    """What the schemas wrote: the moment in the zone, then DjangoJSONEncoder."""
    return json.loads(json.dumps(local(moment, tz), cls=DjangoJSONEncoder))


@pytest.mark.parametrize("zone", ZONES)
def test_list_items_write_every_moment_as_the_encoder_wrote_it(zone):
    from repairs.api.answers import _moment_json

    tz = ZoneInfo(zone)
    moments = _moments(zone)
    assert [_moment_json(m, tz) for m in moments] == [_encoded(m, tz) for m in moments]
