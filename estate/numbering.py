"""One counter service for every readable document number (tickets, receipts, reversals).

``sequence_next`` is one statement, ``INSERT ... ON CONFLICT DO UPDATE SET value = value + 1
RETURNING value``: the row is created on first use and bumped atomically, so two transactions
never get the same value and no retry loop is needed (PostgreSQL and SQLite >= 3.35 alike).

The bumped row stays locked until the calling transaction ends (that is what makes the numbers
gap-free: a rolled-back transaction gives its number back). Callers therefore take the number
as the LAST step before their final writes, so the lock is held for as short a time as possible;
in the fees lock order (fees/services/ledger.py) the counter comes after the unit's account row.
"""

from django.db import connection

from estate.models import Estate, Sequence


def sequence_next(*, estate: Estate, name: str) -> int:
    """The next value (1, 2, 3...) of the estate's counter ``name``."""
    qn = connection.ops.quote_name
    table = qn(Sequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({qn('estate_id')}, {qn('name')}, {qn('value')}) "
        f"VALUES (%s, %s, 1) "
        f"ON CONFLICT ({qn('estate_id')}, {qn('name')}) "
        f"DO UPDATE SET {qn('value')} = {table}.{qn('value')} + 1 "
        f"RETURNING {qn('value')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [estate.pk, name])
        return cursor.fetchone()[0]


def sequence_peek(*, estate: Estate, name: str) -> int:
    """The last value given (0 before the first); for display and tests, never for numbering."""
    return (
        Sequence.objects.filter(estate=estate, name=name).values_list("value", flat=True).first()
        or 0
    )
