"""The SQL kept per process, run as server-side prepared statements on PostgreSQL.

A kept statement (``estate.statements.Statement``, ``estate.fixedsql``) is the same text on every
request; PostgreSQL still parsed and planned it every time (the ticket list's rows, five joins:
0.95 ms of planning for 0.33 ms of execution). Here each is ``PREPARE``d once per database
session and run with ``EXECUTE name(…)``; after five runs PostgreSQL may keep a generic plan
(``plan_cache_mode = auto``) and skip planning altogether.

- A session is the DB-API connection object: a new one (``CONN_MAX_AGE``, a failed health
  check, a closed connection) starts with nothing prepared and prepares again.
- A statement's *constants* (positions of parameters that are the same on every run: an
  estate's id, a status) are written into the prepared text as literals, so its plan knows
  them; only the request's values are ``$n``.
- A session keeps at most :data:`PER_SESSION` statements: past it, the least recently run one
  is ``DEALLOCATE``d.
- A ``PREPARE`` that fails (a parameter whose type PostgreSQL cannot infer...) is remembered for
  the session and the statement runs as plain SQL. Inside a transaction it is tried within a
  savepoint, so the caller's transaction stays usable (``PREPARE`` is not transactional: a
  statement prepared in a transaction that later rolls back is still there).
- A migration that changes the type of a column a prepared statement reads makes its next
  ``EXECUTE`` fail ("cached plan must not change result type", or its parameter's type no
  longer fits); that statement is then prepared again, so a live connection fails once per
  such statement, not until it closes.
- Django's query log (``connection.queries``, ``CaptureQueriesContext``, the query-count pins)
  sees one query per run, the statement's own SQL with its values followed by
  ``/* EXECUTE name */``; the ``PREPARE`` (once per session) is not logged. Execute wrappers
  see the statement's SQL and parameters too.

Other databases (SQLite) run the SQL as before."""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict

from django.conf import settings

#: False: run every kept statement as plain SQL (the parity tests compare both). A deployment
#: turns them off with the setting ``PREPARED_STATEMENTS`` (environment ``PREPARED_STATEMENTS=0``,
#: e.g. behind a pooler in transaction mode, where a session is not one client's).
ENABLED = True
#: Prepared statements a database session keeps at most. Each holds its plans in the server
#: process: the list's rows statement (one text per page size) ≈ 0.3 MB, so ≈ 20 MB at most
#: per connection (measured: 50 page sizes took a backend from 2.3 to 18.9 MB).
PER_SESSION = 64

_TOKEN = re.compile(r"%%|%s")
_numbers = itertools.count(1)


class Kept:
    """A statement to prepare: SQL with ``%s`` placeholders, and the positions of the
    parameters that are constants (the same value on every run: written as literals)."""

    __slots__ = ("sql", "constants", "args", "name", "execute_sql", "body", "prepare")

    def __init__(self, sql: str, constants=(), *, prepare: bool = True):
        self.sql = sql
        self.constants = frozenset(constants)
        count = sum(1 for m in _TOKEN.finditer(sql) if m.group(0) == "%s")
        self.args = tuple(i for i in range(count) if i not in self.constants)
        self.name = f"ed_kept_{next(_numbers)}"
        placeholders = ", ".join(["%s"] * len(self.args))
        self.execute_sql = f"EXECUTE {self.name}" + (f"({placeholders})" if self.args else "")
        self.body = None  # the prepared text, written at its first PREPARE
        self.prepare = prepare

    def write_body(self, raw_cursor, params) -> str:
        """The text after ``PREPARE name AS``: constants as literals, the rest ``$1…$n``."""
        position = itertools.count()
        argument = itertools.count(1)
        literals = []

        def token(match):
            if match.group(0) == "%%":
                return "%%"
            i = next(position)
            if i in self.constants:
                literals.append(params[i])
                return "%s"
            return f"${next(argument)}"

        return raw_cursor.mogrify(_TOKEN.sub(token, self.sql), literals).decode()


class _Session:
    __slots__ = ("raw", "names", "failed", "stale")

    def __init__(self, raw):
        self.raw = raw  # the DB-API connection the statements were prepared on
        self.names: OrderedDict = OrderedDict()  # prepared, least recently run first
        self.failed: set = set()
        self.stale: set = set()  # prepared, but to DEALLOCATE and prepare again


def session_of(connection) -> _Session:
    """The prepared statements of ``connection``'s current database session."""
    session = getattr(connection, "_kept_prepared", None)
    if session is None or session.raw is not connection.connection:
        session = _Session(connection.connection)
        connection._kept_prepared = session
    return session


def execute(connection, cursor, kept: Kept, params) -> None:
    """``cursor.execute(kept.sql, params)`` (Django's cursor of ``connection``), as
    ``EXECUTE`` of the session's prepared statement on PostgreSQL."""
    if not (
        ENABLED
        and kept.prepare
        and connection.vendor == "postgresql"
        and settings.PREPARED_STATEMENTS
    ):
        cursor.execute(kept.sql, params)
        return
    session = session_of(connection)
    name = kept.name
    if name in session.names:
        session.names.move_to_end(name)
    elif name in session.failed or not _prepare(connection, session, kept, params):
        cursor.execute(kept.sql, params)
        return
    _execute_prepared(connection, cursor, session, kept, params)


def _prepare(connection, session: _Session, kept: Kept, params) -> bool:
    import psycopg2
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    raw = session.raw
    if connection.needs_rollback or raw.info.transaction_status == TRANSACTION_STATUS_INERROR:
        return False  # the plain statement raises what Django raises there
    in_transaction = not raw.autocommit
    with raw.cursor() as c:
        try:
            if kept.body is None:
                kept.body = kept.write_body(c, params)
            if in_transaction:
                c.execute("SAVEPOINT ed_kept_prepare")
            while len(session.names) >= PER_SESSION:
                oldest, _ = session.names.popitem(last=False)
                c.execute(f"DEALLOCATE {oldest}")
            if kept.name in session.stale:
                c.execute(f"DEALLOCATE {kept.name}")
            c.execute(f"PREPARE {kept.name} AS {kept.body}")
            session.stale.discard(kept.name)
            if in_transaction:
                c.execute("RELEASE SAVEPOINT ed_kept_prepare")
        except psycopg2.Error:
            session.failed.add(kept.name)
            if in_transaction:
                try:
                    c.execute("ROLLBACK TO SAVEPOINT ed_kept_prepare")
                    c.execute("RELEASE SAVEPOINT ed_kept_prepare")
                except psycopg2.Error:
                    pass  # the connection is gone: the plain statement says so
            return False
    session.names[kept.name] = None
    return True


def _execute_prepared(connection, cursor, session: _Session, kept: Kept, params) -> None:
    from django.db.backends.utils import CursorDebugWrapper
    from psycopg2.errors import (
        DatatypeMismatch,
        FeatureNotSupported,
        InvalidSqlStatementName,
        UndefinedFunction,
    )

    raw_cursor = cursor.cursor
    args = [params[i] for i in kept.args]

    def send(sql, params, many, context):
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            try:
                return raw_cursor.execute(kept.execute_sql, args)
            except InvalidSqlStatementName:
                session.names.pop(kept.name, None)  # dropped behind our back: prepare anew
                raise
            except (FeatureNotSupported, UndefinedFunction, DatatypeMismatch):
                # A migration changed a column's type under a live connection ("cached plan
                # must not change result type", or a parameter typed for the old column).
                # This run fails as it could have during the migration; the next one
                # prepares the statement again.
                session.names.pop(kept.name, None)
                session.stale.add(kept.name)
                raise

    if isinstance(cursor, CursorDebugWrapper):
        logged = f"{raw_cursor.mogrify(kept.sql, params).decode()} /* EXECUTE {kept.name} */"
        with cursor.debug_sql(logged, params):
            cursor._execute_with_wrappers(kept.sql, params, False, send)
    else:
        cursor._execute_with_wrappers(kept.sql, params, False, send)
