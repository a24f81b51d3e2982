"""The periodic overdue sweep reads running tickets through partial indexes on their deadlines,
not every ticket ever logged (PostgreSQL)."""

import pytest
from django.db import connection, transaction

from repairs import selectors
from repairs.models import RUNNING_STATUSES
from tests.repairs.factories import at, make_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
NOW = at("2026-10-15 12:00")


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'repairs_ticket'"
        )
        return dict(cursor.fetchall())


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # On a near-empty test table a sequential scan is always cheapest; forbid it to see
        # which index the planner can use (it cannot use a partial index whose condition the
        # query does not imply).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_partial_indexes_exist_with_the_running_statuses_as_condition():
    indexes = _indexes()
    for name in ("ticket_sweep_resolve_idx", "ticket_sweep_response_idx"):
        condition = indexes[name].split(" WHERE ", 1)[1]
        assert all(f"'{status}'" in condition for status in RUNNING_STATUSES), condition
        assert "'closed'" not in condition and "'cancelled'" not in condition
    assert "WHERE is_overdue" in indexes["ticket_flagged_idx"]


def test_the_sweep_query_uses_them(estate_a):
    make_ticket(estate_a, now=at("2026-10-15 09:00"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE repairs_ticket")
    # Unordered: which index the condition lets the planner use. On this one-row table, with
    # sequential scans off, an order would be served by whichever index has it (the model's
    # "-reported_at, -id" by ticket_recent_idx) rather than by the sweep's partial indexes.
    sweep = selectors.tickets_to_flag(now=NOW).order_by()
    plan = _plan(sweep.values_list("id", "estate_id", "number"))
    # One or both (a bitmap OR), as the planner prefers; either reads running tickets only.
    assert "ticket_sweep_resolve_idx" in plan or "ticket_sweep_response_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    plan = _plan(selectors.tickets_to_unflag(now=NOW).order_by().values_list("id"))  # an UPDATE
    assert "ticket_flagged_idx" in plan, plan
