"""The ticket tallies (``TicketTally``): folding their rows, and the task a list asks it of.

PostgreSQL's triggers (migration 0015) add a row per estate, kind and status each statement on
``repairs_ticket`` changed; a key's count is the sum of its rows. Folding makes each key one row
again, so the list's count (``selectors.ticket_list_page``) sums a few. Below the selectors and
the services: it imports neither, so both may use it."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from huey.contrib.djhuey import db_task

# A key's rows a writer adds meanwhile are not in this statement's snapshot: they stay, beside
# the sum; a second fold at the same time skips the rows the first one deleted (READ COMMITTED
# re-checks them), so no change is counted twice or lost. A key that sums to 0 keeps no row.
_COMPACT = """
WITH gone AS (
    DELETE FROM repairs_tickettally
    WHERE (estate_id, kind, status) IN (
        SELECT estate_id, kind, status FROM repairs_tickettally {where}
        GROUP BY 1, 2, 3 HAVING count(*) > 1
    )
    RETURNING estate_id, kind, status, n
), made AS (
    INSERT INTO repairs_tickettally (estate_id, kind, status, n)
    SELECT estate_id, kind, status, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM made)
"""


def compact(*, estate_ids: list[int] | None = None) -> int:
    """Fold the tallies of these estates (None: every estate) into one row per key; the number
    of rows folded away. Running it twice, or twice at once, changes no count
    (tests/repairs/test_ticket_tally.py). Nothing to do on SQLite (no triggers, no rows)."""
    if connection.vendor != "postgresql":
        return 0
    where, params = "", []
    if estate_ids is not None:
        where, params = "WHERE estate_id = ANY(%s)", [list(estate_ids)]
    with connection.cursor() as cursor:
        cursor.execute(_COMPACT.format(where=where), params)
        return cursor.fetchone()[0]


@db_task()
def compact_estates(estate_ids: list[int] | None):
    """:func:`compact` for a few estates, asked for by a list whose count read many rows."""
    return compact(estate_ids=estate_ids)


def ask_fold(estate_ids: list[int] | None) -> None:
    """Have these estates' tallies folded by the consumer, at most once every 10 seconds."""
    key = "ticket-tally-fold:" + ("all" if estate_ids is None else ",".join(map(str, estate_ids)))
    if cache.add(key, 1, 10):
        compact_estates(estate_ids)
