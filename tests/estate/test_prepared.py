"""The kept SQL run as prepared statements on PostgreSQL (estate/prepared.py): the same answers
as plain SQL, also once PostgreSQL plans them generically (after five runs); a new database
session prepares again; a statement PostgreSQL cannot prepare still runs, and the caller's
transaction goes on; a session keeps a bounded number of them. On SQLite the parity tests run
too (nothing is prepared there)."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from estate import prepared
from estate.fixedsql import FixedInsert, FixedSelect
from estate.models import Estate, Unit
from estate.prepared import Kept
from repairs import selectors
from repairs.models import TicketEvent
from tests.factories import make_estate, make_unit
from tests.repairs.factories import make_category, make_ticket
from tests.repairs.test_ticket_list_page import spread  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

RUNS = 7  # past the five custom plans PostgreSQL makes before it may keep a generic one
SHAPES = [
    {},
    {"status": "open"},
    {"overdue": True, "kind": "repair"},
    {"reported_from": dt.date(2026, 10, 2), "reported_to": dt.date(2026, 10, 3)},
    {"estate": "HY01", "reported_from": dt.date(2026, 10, 1), "overdue": False},
    {"q": "王"},
]


def _prepared_names() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _typed(filters: dict) -> dict:
    out = dict(filters)
    if "estate" in out:
        out["estate"] = Estate.objects.get(code=out["estate"])
    return out


def _page(user, offset, limit, filters, now):
    return selectors.ticket_list_page(
        user=user, offset=offset, limit=limit, now=now, **_typed(filters)
    )


def test_the_list_answers_the_same_prepared_and_plain(spread, monkeypatch):  # noqa: F811
    now = timezone.now()
    for filters in SHAPES:
        for offset, limit in ((0, 1), (2, 5), (0, 50)):
            monkeypatch.setattr(prepared, "ENABLED", False)
            plain = _page(spread, offset, limit, filters, now)
            monkeypatch.setattr(prepared, "ENABLED", True)
            for _ in range(RUNS):
                assert _page(spread, offset, limit, filters, now) == plain, (filters, offset)
    if connection.vendor == "postgresql":
        ids_statement = selectors._page_statements(spread, {"now": now})[0]
        assert ids_statement.kept.name in _prepared_names()  # the prepared one answered
        searched = selectors._page_statements(spread, {"q": "王", "now": now})[0]
        assert not searched.kept.prepare  # a text search runs as plain SQL (its docstring)


def test_lookups_and_inserts_answer_the_same_prepared_and_plain(estate_a, monkeypatch):
    unit = make_unit(estate_a, number="3-2-1501", area="88.25")
    category = make_category(estate_a, code="pipes")
    units = FixedSelect(Unit, "{estate_id} = %s AND {number} = %s", limit=1)
    ticket = make_ticket(estate_a, category=category, unit=unit)
    insert = FixedInsert(TicketEvent)
    at = timezone.now()

    def event(note):
        obj = TicketEvent(ticket=ticket, estate=estate_a, kind="held", note=note, at=at)
        return TicketEvent.objects.filter(pk=insert.save(obj).pk).values().get()

    monkeypatch.setattr(prepared, "ENABLED", False)
    plain_unit = units.first(estate_a.pk, "3-2-1501")
    plain_event = event("一")
    monkeypatch.setattr(prepared, "ENABLED", True)
    for i in range(RUNS):
        found = units.first(estate_a.pk, "3-2-1501")
        assert {f.attname: getattr(found, f.attname) for f in Unit._meta.concrete_fields} == {
            f.attname: getattr(plain_unit, f.attname) for f in Unit._meta.concrete_fields
        }
        assert units.first(estate_a.pk, "nope") is None
        row = event("一")
        assert row["id"] > plain_event["id"] + i
        assert {k: v for k, v in row.items() if k != "id"} == {
            k: v for k, v in plain_event.items() if k != "id"
        }
    if connection.vendor == "postgresql":
        assert {units._compile(connection)[0].name, insert._compile(connection)[0].name} <= (
            _prepared_names()
        )


def test_a_run_is_one_logged_query_with_its_own_sql(estate_a):
    """The query-count pins and connection.queries see the statement, not the PREPARE."""
    by_code = FixedSelect(Estate, "{code} = %s", limit=1)
    for _ in range(2):  # the first run prepares, the second only executes
        with CaptureQueriesContext(connection) as queries:
            assert by_code.first("HY01") == estate_a
        assert len(queries.captured_queries) == 1
        sql = queries.captured_queries[0]["sql"]
        assert sql.startswith('SELECT "estate_estate"."id"') and 'FROM "estate_estate"' in sql
        assert "'HY01'" in sql or connection.vendor != "postgresql"


@pytest.mark.postgres
def test_a_statement_that_cannot_be_prepared_runs_plain_in_the_same_transaction(estate_a):
    untyped = Kept("SELECT %s IS NULL")  # PostgreSQL cannot infer $1's type
    with transaction.atomic():
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, untyped, [None])
            assert cursor.fetchall() == [(True,)]
            prepared.execute(connection, cursor, untyped, [3])
            assert cursor.fetchall() == [(False,)]
        # the transaction is usable: a read and a write after the failed PREPARE
        assert Estate.objects.get(code="HY01") == estate_a
        make_estate("HZ09")
    assert Estate.objects.filter(code="HZ09").exists()
    session = prepared.session_of(connection)
    assert untyped.name in session.failed and untyped.name not in _prepared_names()


@pytest.mark.postgres
def test_a_session_keeps_at_most_its_cap(estate_a, monkeypatch):
    monkeypatch.setattr(prepared, "PER_SESSION", 3)
    statements = [Kept(f"SELECT {n} + %s") for n in range(5)]
    for n, kept in enumerate(statements):
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, kept, [1])
            assert cursor.fetchall() == [(n + 1,)]
    names = _prepared_names() & {k.name for k in statements}
    assert names == {k.name for k in statements[2:]}  # the oldest two were DEALLOCATEd
    with connection.cursor() as cursor:  # and the first prepares again when it runs again
        prepared.execute(connection, cursor, statements[0], [41])
        assert cursor.fetchall() == [(41,)]
    assert statements[0].name in _prepared_names()
    assert len(_prepared_names() & {k.name for k in statements}) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again_and_a_rollback_keeps_them():
    estate = make_estate("HY01")
    by_code = FixedSelect(Estate, "{code} = %s", limit=1)
    assert by_code.first("HY01") == estate
    name = by_code._compile(connection)[0].name
    assert name in _prepared_names()

    connection.close()  # CONN_MAX_AGE, a failed health check: a new session knows nothing
    assert by_code.first("HY01") == estate
    assert name in _prepared_names()

    # PREPARE is not transactional: prepared in a transaction that rolls back, it stays
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert by_code.first("HY01") == estate
        raise RuntimeError("rolled back")
    assert name in _prepared_names()
    assert by_code.first("HY01") == estate


@pytest.mark.postgres
def test_a_column_type_changed_under_a_prepared_statement_prepares_it_again(estate_a):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE migrated (n integer)")
        cursor.execute("INSERT INTO migrated VALUES (7)")
    read = Kept("SELECT n FROM migrated WHERE n = %s")
    for migration, value, found in (("bigint", 7, 7), ("text", "7", "7")):
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, read, [7])
            cursor.fetchall()
            cursor.execute(f"ALTER TABLE migrated ALTER COLUMN n TYPE {migration}")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            prepared.execute(connection, cursor, read, [value])  # the run during the migration
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, read, [value])
            assert cursor.fetchall() == [(found,)]
        assert read.name in _prepared_names()


@pytest.mark.postgres
def test_the_setting_off_runs_every_statement_plain(estate_a, settings):
    """``PREPARED_STATEMENTS=0`` (a pooler in transaction mode): nothing is prepared."""
    settings.PREPARED_STATEMENTS = False
    by_code = FixedSelect(Estate, "{code} = %s", limit=1)
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            assert by_code.first("HY01") == estate_a
        assert "EXECUTE" not in queries.captured_queries[0]["sql"]
    assert by_code._compile(connection)[0].name not in _prepared_names()
    settings.PREPARED_STATEMENTS = True
    assert by_code.first("HY01") == estate_a
    assert by_code._compile(connection)[0].name in _prepared_names()
