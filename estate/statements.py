"""Querysets compiled once per process: the SQL text Django writes for a query of a given
shape, kept with where each of its parameters comes from, then run with each request's values.

Building and compiling a queryset costs a request more CPU than running it does when the
answer is a short, indexed page (the ticket list: three querysets a request). The query is
still written once, with the ORM; what is kept is its compiled form:

- the caller builds the queryset with *markers* in place of the request's values (a date, an
  id, a text, the page's offset and limit), values no request sends;
- the compiled parameters equal to a marker's database form become that slot; a text that
  holds a text marker (a ``LIKE`` pattern) keeps its pattern around the slot; the page's
  offset and limit, which Django writes into the SQL text, become parameters too;
- every other parameter is a constant of the shape (a status, an estate's id): the caller's
  cache key must hold everything they depend on.

A shape whose markers do not all come back (the ORM folded a value away, or the query is empty
whatever the values) is not kept: :func:`compile_capture` returns None and the caller runs its
queryset as before."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import QuerySet

from estate.prepared import Kept, execute

#: Page markers, written by Django into the SQL text (``LIMIT``/``OFFSET``): numbers no page
#: has, ``offset + limit`` (the merged parts' ``LIMIT``) as distinct as the other two.
OFFSET_MARK = 1_500_000_000
LIMIT_MARK = 300_017
END_MARK = OFFSET_MARK + LIMIT_MARK
_TEXT_MARKS = {str(OFFSET_MARK): "offset", str(LIMIT_MARK): "limit", str(END_MARK): "end"}
_TOKEN = re.compile(r"%%|%s|\b(" + "|".join(_TEXT_MARKS) + r")\b")


class _Captured(Exception):
    pass


@dataclass(frozen=True)
class Statement:
    """SQL with, per parameter, a constant or the slot its value comes from."""

    sql: str
    slots: tuple  # ("const", value) | ("slot", name) | ("like", name, pattern, marker)
    names: tuple[str, ...] = ()
    converters: tuple = ()

    def params(self, values: dict) -> list:
        out = []
        for slot in self.slots:
            kind = slot[0]
            if kind == "const":
                out.append(slot[1])
            elif kind == "slot":
                out.append(values[slot[1]])
            else:  # a LIKE pattern around the slot's text
                out.append(slot[2].replace(slot[3], values[slot[1]]))
        return out

    @cached_property
    def kept(self):
        """The statement as PostgreSQL prepares it (``estate.prepared``): the shape's
        constants written into its text, the request's values its parameters. A shape with
        a text search (a ``LIKE`` slot) is not prepared: its generic plan computes
        ``UPPER($n)`` for every row it filters (12.3 ms instead of 9.8 ms for an estate's
        10,000 tickets), more than the planning it saves (0.35 ms)."""
        return Kept(
            self.sql,
            [i for i, slot in enumerate(self.slots) if slot[0] == "const"],
            prepare=not any(slot[0] == "like" for slot in self.slots),
        )

    def fetch(self, values: dict) -> list:
        with connection.cursor() as cursor:
            execute(connection, cursor, self.kept, self.params(values))
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(row) for row in rows]
        return rows

    def _convert(self, row) -> list:
        row = list(row)
        for pos, (funcs, expression) in self.converters:
            value = row[pos]
            for func in funcs:
                value = func(value, expression, connection)
            row[pos] = value
        return row


def _sql_of(run: Callable[[], object]) -> tuple[str, tuple]:
    """The SQL and parameters ``run`` sends first, without sending it (nor logging it: a
    test's query count sees only the statements that ran)."""

    def stop(execute, sql, params, many, context):
        raise _Captured(sql, params)

    forced = connection.force_debug_cursor
    connection.force_debug_cursor = False
    try:
        with connection.execute_wrapper(stop):
            run()
    except _Captured as captured:
        return captured.args
    finally:
        connection.force_debug_cursor = forced
    raise LookupError("the queryset sent no query")


def _statement(sql: str, params, marks: dict, like: dict, names=(), converters=()):
    """``marks``: slot -> the marker's database form; ``like``: slot -> a text marker."""
    params = list(params)
    pending = iter(params)
    slots, seen = [], set()
    by_value = {(type(v), v): k for k, v in marks.items()}

    def resolve(value):
        slot = by_value.get((type(value), value))
        if slot is not None:
            seen.add(slot)
            return ("slot", slot)
        if isinstance(value, str):
            for name, marker in like.items():
                if marker in value:
                    seen.add(name)
                    return ("like", name, value, marker)
        return ("const", value)

    def token(match):
        if match.group(0) == "%%":
            return "%%"
        if match.group(0) == "%s":
            slots.append(resolve(next(pending)))
        else:
            name = _TEXT_MARKS[match.group(1)]
            seen.add(name)
            slots.append(("slot", name))
        return "%s"

    text = _TOKEN.sub(token, sql)
    if next(pending, _Captured) is not _Captured:
        return None  # more parameters than placeholders: not a text this can rewrite
    return Statement(text, tuple(slots), tuple(names), tuple(converters)), seen


def compile_capture(
    run: Callable[[], object], *, marks: dict, like: dict | None = None, needed=()
) -> Statement | None:
    """The first statement ``run`` sends (``qs.count()``, ``list(qs)``), as a
    :class:`Statement`; None when a slot of ``needed`` does not come back."""
    from django.core.exceptions import EmptyResultSet, FullResultSet

    try:
        sql, params = _sql_of(run)
    except (EmptyResultSet, FullResultSet, LookupError):
        return None
    made = _statement(sql, params or (), marks, like or {})
    if made is None or not set(needed) <= made[1]:
        return None
    return made[0]


def compile_rows(qs: QuerySet, *, marks: dict, like: dict | None = None, needed=()):
    """A ``values()`` queryset as a :class:`Statement` whose rows come back converted as the
    ORM converts them (aware datetimes, decimals and booleans on SQLite), with its names."""
    from django.core.exceptions import EmptyResultSet, FullResultSet

    query = qs.query
    compiler = query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return None
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    made = _statement(sql, params, marks, like or {}, names, converters)
    if made is None or not set(needed) <= made[1]:
        return None
    return made[0]
