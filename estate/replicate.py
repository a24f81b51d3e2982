"""Company-scale seeding by copy: the estates simulated in Python (the templates) are copied
into the others inside PostgreSQL, one ``INSERT ... SELECT`` per table.

Simulating a ticket with its history, a unit's ledger month by month, an application's
inspections costs about a millisecond of Python each: fine for the demo, ≈ 2,800 s of CPU for
QUALITY.md's company (100 estates, 1,000,000 tickets, 1,800,000 bills). ``seed_demo`` at
company scale therefore simulates a few template estates and calls ``replicate``, which writes
the other estates from them:

* copy ``k`` (1, 2, ...) of template estate ``t`` is the estate ``k * templates + t``, with the
  code, name, address and phone that estate would have had (``estate.seed.estate_identity``);
* every table that belongs to an estate (an ``estate`` foreign key, or a foreign key to such a
  table, found from the models) is copied with every key shifted by ``k * max(id)`` of the
  table it points to: a row, its foreign keys and their targets stay together, so a ticket keeps
  its history and visits, a payment its allocations, a bill its paid amount;
* the estate's staff users are copied with their usernames (``hy01-manager`` -> ``hy05-...``);
  other users (the company admin) are shared, not copied;
* document numbers carry the estate code (``BX-HY01-2610-0001``): the code is replaced, so a
  number stays unique and its per-estate-month sequence (``estate_sequence``, copied too) stays
  right; random tokens (tracking codes, survey and booking tokens) are derived anew from the old
  token and the copy, same length;
* encrypted columns are copied as they are (valid ciphertexts under the same key), and so are
  the search hashes beside them.

The tables are independent of one another while they are copied (the seed's foreign-key
checks are off; every source row is a template row), so with ``workers`` > 1 and no
transaction open around the call, they are shared out among that many connections, each in its
own transaction, balanced by their expected cost (template rows times the indexes to build);
inside a transaction (the tests) they are copied on the one connection.

The copies are the same histories in other estates: their rates equal their template's. That is
what a load test of the company needs (row counts, distributions, plans), not a realistic
spread between estates, which the templates give (``--templates``).
"""

import threading
import time
from collections.abc import Callable, Sequence

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import UniqueConstraint

from estate.integrity import name_columns
from estate.models import Estate, Membership

# Template rows from which a table's secondary indexes are rebuilt rather than maintained: at
# 99 copies, one sorted build beats ~100,000 insertions into each index from about 1,000
# template rows (residents, units, survey responses: 3-11 s each maintained at 5,000).
BIG_TABLE = 1000


def _tables() -> tuple[list, str]:
    """The models to copy (those that belong to an estate), in dependency-free order (the
    seed's foreign-key checks are off or deferred), and the user table."""
    user_table = get_user_model()._meta.db_table
    estate_table = Estate._meta.db_table
    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    owned = {estate_table}
    chosen: list = []
    changed = True
    while changed:
        changed = False
        for model in models:
            table = model._meta.db_table
            if table in owned or table == user_table:
                continue
            if any(
                f.is_relation and f.related_model._meta.db_table in owned
                for f in model._meta.concrete_fields
            ):
                owned.add(table)
                chosen.append(model)
                changed = True
    return chosen, user_table


def replicate(
    *,
    templates: list[Estate],
    estates: int,
    identity: Callable,
    log: Callable,
    workers: int = 1,
    session: Sequence[str] = (),
) -> dict[str, int]:
    """Copy the ``templates`` (the only estates in the database) until there are ``estates``
    estates (a multiple of their number). ``identity(index)`` gives the code, name, address and
    phone of the estate at that index (0-based). ``session``: statements run first in each
    copying transaction (``SET LOCAL ...``). Returns the rows written per model label."""
    return Replication(
        templates=templates,
        estates=estates,
        identity=identity,
        log=log,
        workers=workers,
        session=session,
    ).finish()


class Replication:
    """``replicate`` in two steps, for a caller that knows some tables are complete before the
    others: ``start(models)`` copies those at once on a connection of its own (``seed_demo``:
    the tickets and their histories, while Python still simulates the fees), in a transaction
    that commits as soon as they are in; ``finish()`` copies the rest, that connection joining
    the others when it is done. ``finish`` checks that every table an early copy's keys were
    shifted by kept its size meanwhile (else the copy would point to the wrong rows) and fails
    if not; the caller checks that nobody wrote the early tables themselves (``early_tables``).
    On one connection, or inside a transaction, ``start`` does nothing."""

    def __init__(
        self,
        *,
        templates: list[Estate],
        estates: int,
        identity: Callable,
        log: Callable,
        workers: int = 1,
        session: Sequence[str] = (),
    ):
        n_templates = len(templates)
        copies = estates // n_templates - 1
        if estates % n_templates or copies < 1:
            raise ValueError(f"{estates} estates are not copies of {n_templates} templates")
        self.workers, self.session, self.log = workers, list(session), log
        self.parallel = workers > 1 and not connection.in_atomic_block
        self.rows = []
        for k in range(1, copies + 1):
            for rank, template in enumerate(templates):
                code, name, address, phone = identity(k * n_templates + rank)
                self.rows.append(
                    (k, template.pk, template.code, code, template.name, name, address, phone)
                )
        self.written: dict[str, int] = {}
        self.lock = threading.Lock()
        self.queue: list[_Job] = []
        self.planned = threading.Event()  # the queue is filled (or never will be)
        self.failures: list[BaseException] = []
        self.threads: list[threading.Thread] = []
        self.early: list[_Job] = []
        self.staff: list[int] = []

    @property
    def early_tables(self) -> list[str]:
        return [job.model._meta.db_table for job in self.early]

    def _done(self, label: str, n: int, line: str) -> None:
        with self.lock:
            self.written[label] = n
            self.log(line)

    def _next_job(self) -> "_Job | None":
        self.planned.wait()
        with self.lock:
            return self.queue.pop(0) if self.queue and not self.failures else None

    def _work(self, name: str, first: list) -> None:
        started = time.monotonic()
        tables = 0
        try:
            if name == "early":
                # The early tables: committed at once, so that nothing waits on their locks.
                tables += self._transaction(first, lambda: None)
                first = []
                self.log(
                    f"connection {name}: early copy committed, {time.monotonic() - started:.1f} s"
                )
            self.planned.wait()
            tables += self._transaction(first, self._next_job)
            self.log(f"connection {name}: {tables} tables, {time.monotonic() - started:.1f} s")
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            self.failures.append(exc)
        finally:
            connections["default"].close()

    def _transaction(self, first: list, more: Callable) -> int:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            for statement in self.session:
                cursor.execute(statement)
            return _copy_all(cursor, first, self.rows, self.staff, self._done, more)

    def start(self, models) -> bool:
        """Copy ``models`` now, on a connection of their own. False when not parallel."""
        if not self.parallel or self.early or self.threads:
            return False
        labels = {m._meta.label for m in models}
        with connection.cursor() as cursor:  # no transaction: the plan's reads hold no lock
            jobs, self.staff = _plan(cursor)
        self.early = [job for _cost, job in jobs if job.model._meta.label in labels]
        if not self.early:
            return False
        thread = threading.Thread(target=self._work, args=("early", self.early))
        self.threads.append(thread)
        thread.start()
        return True

    def cancel(self) -> None:
        """Stop after the copies under way (the caller failed): nothing more is handed out."""
        self.planned.set()
        for thread in self.threads:
            thread.join()

    def finish(self) -> dict[str, int]:
        if not self.parallel:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in self.session:
                    cursor.execute(statement)
                jobs, staff = _plan(cursor)
                _copy_all(cursor, [job for _cost, job in jobs], self.rows, staff, self._done)
                _reset_sequences(cursor)
            return self.written
        known = {job.model._meta.db_table: (job.span, job.rows) for job in self.early}
        try:
            with connection.cursor() as cursor:
                # The early tables' sizes are those their copy used (it may still hold them).
                jobs, staff = _plan(cursor, known=known)
            spans = {job.model._meta.db_table: job.span for _cost, job in jobs} | {
                table: span for table, (span, _rows) in known.items()
            }
            stale = sorted(
                f"{table} (copying {job.model._meta.db_table})"
                for job in self.early
                for table, span in job.refs.items()
                if spans.get(table, span) != span
            )
            if self.early and (stale or staff != self.staff):
                raise RuntimeError(
                    "tables changed after the early copies that point to them began: "
                    + (", ".join(stale) or "the staff")
                )
        except BaseException:
            self.cancel()
            raise
        self.staff = staff
        # The estates, their staff and the memberships the staff's copy reads stay together on
        # the first connection; the other tables, longest first, go to whichever connection is
        # free next (a shared queue: no estimate of each copy's time to get wrong).
        pinned = [job for _cost, job in jobs if job.pinned]
        with self.lock:
            self.queue[:] = [
                job
                for _cost, job in jobs
                if not job.pinned and job.model._meta.db_table not in known
            ]
        self.planned.set()
        for number in range(self.workers - len(self.threads)):
            thread = threading.Thread(
                target=self._work, args=(str(number), pinned if number == 0 else [])
            )
            self.threads.append(thread)
            thread.start()
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise self.failures[0]
        with connection.cursor() as cursor:
            _reset_sequences(cursor)
        return self.written


class _Job:
    """One table's copy: its model, the SELECT list per column and the FROM clause."""

    def __init__(self, model, select: dict, source: str, rows: int, pinned: bool, **sizes):
        self.model, self.select, self.source, self.rows, self.pinned = (
            model,
            select,
            source,
            rows,
            pinned,
        )
        # This table's span, and those of the tables its keys were shifted by.
        self.span: int = sizes["span"]
        self.refs: dict[str, int] = sizes["refs"]


def _models() -> list:
    return [Estate, get_user_model(), *_tables()[0]]


def _plan(cursor, known: dict | None = None) -> tuple[list[tuple[float, _Job]], list[int]]:
    """Every table's copy with its expected cost (longest first), and the staff users to copy
    (those of exactly one template estate; anyone else is shared). ``known``: the span and rows
    of tables not to read (being copied)."""
    known = known or {}
    qn = connection.ops.quote_name
    models, user_table = _tables()
    User = get_user_model()
    user_names = {(model, column) for model, _fk, column in name_columns()}
    spans, counts, indexes = {}, {}, {}
    for model in [Estate, User, *models]:
        table = model._meta.db_table
        if table in known:
            spans[table], counts[table] = known[table]
        else:
            cursor.execute(f"SELECT max({qn(model._meta.pk.column)}), count(*) FROM {qn(table)}")
            span, counts[table] = cursor.fetchone()
            spans[table] = span or 0
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [table])
        indexes[table] = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT m.user_id FROM estate_membership m JOIN {qn(user_table)} u ON u.id = m.user_id "
        "WHERE NOT u.is_superuser GROUP BY m.user_id HAVING count(*) = 1"
    )
    staff = [row[0] for row in cursor.fetchall()]

    refs: dict[str, int] = {}  # the spans the model being planned uses

    def key(model, field, alias="x") -> str:
        col = f"{alias}.{qn(field.column)}"
        if field.primary_key:
            return f"{col} + c.k * {spans[model._meta.db_table]}"
        if not field.is_relation:
            return col
        target = field.related_model._meta.db_table
        if not field.target_field.primary_key:
            raise ValueError(f"{model._meta.label}.{field.name} points to a non-key")
        if target in spans:
            refs[target] = spans[target]
        if target == user_table:
            return (
                f"CASE WHEN {col} IN (SELECT user_id FROM seed_staff) "
                f"THEN {col} + c.k * {spans[user_table]} ELSE {col} END"
            )
        if target in spans:
            return f"{col} + c.k * {spans[target]}"
        return col

    def fields(model):
        return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]

    jobs: list[tuple[float, _Job]] = []

    def add(model, select, source, pinned=False):
        table = model._meta.db_table
        used = dict(refs)
        refs.clear()
        if not spans[table]:
            return  # nothing seeded in this table
        # Measured at company scale: about 2.5 + 1 units per index for each row copied.
        cost = counts[table] * (2.5 + indexes[table])
        job = _Job(model, select, source, counts[table], pinned, span=spans[table], refs=used)
        jobs.append((cost, job))

    # The estates, with the identity of the estate each copy stands for.
    named = {
        "code": "c.new_code",
        "name": "c.new_name",
        "address": "c.new_address",
        "service_phone": "c.new_phone",
    }
    add(
        Estate,
        {f.column: named.get(f.column) or key(Estate, f) for f in fields(Estate)},
        f"FROM {qn(Estate._meta.db_table)} x JOIN seed_copy c ON c.t_estate = x.id",
        pinned=True,
    )
    # Their staff: usernames and display names follow the estate.
    renamed = {
        "username": "replace(x.username, lower(c.old_code) || '-', lower(c.new_code) || '-')",
        "first_name": "replace(x.first_name, c.old_name, c.new_name)",
    }
    add(
        User,
        {f.column: renamed.get(f.column) or key(User, f) for f in fields(User)},
        f"FROM {qn(user_table)} x JOIN seed_staff s ON s.user_id = x.id "
        "JOIN estate_membership m ON m.user_id = x.id "
        "JOIN seed_copy c ON c.t_estate = m.estate_id",
        pinned=True,
    )
    for model in models:
        estate_field = next(
            (f for f in fields(model) if f.is_relation and f.related_model is Estate),
            None,
        )
        select = {}
        # Unique on its own: unique=True, or a one-field UniqueConstraint (unique_pattern).
        alone = {
            c.fields[0]
            for c in model._meta.constraints
            if isinstance(c, UniqueConstraint) and len(c.fields) == 1 and c.condition is None
        }
        for f in fields(model):
            expression = key(model, f)
            unique = f.unique or f.name in alone
            if unique and not f.is_relation and not f.primary_key:
                if "number" in f.name:
                    if estate_field is None:
                        raise ValueError(f"{model._meta.label}.{f.name}: no estate code")
                    expression = f"replace({expression}, c.old_code, c.new_code)"
                else:  # a random token: another one, as long, for each copy
                    expression = f"left(md5({expression} || ':' || c.k), length({expression}))"
            elif (model, f.name) in user_names and estate_field is not None:
                # The name kept beside a user key ("华苑经理"): the copy's staff's.
                expression = f"replace({expression}, c.old_name, c.new_name)"
            select[f.column] = expression
        if estate_field is not None:
            source = (
                f"FROM {qn(model._meta.db_table)} x "
                f"JOIN seed_copy c ON c.t_estate = x.{qn(estate_field.column)}"
            )
        else:  # a child row (a vehicle, an answer's question): copied with its parent
            source = (
                f"FROM {qn(model._meta.db_table)} x CROSS JOIN (SELECT DISTINCT k FROM seed_copy) c"
            )
        add(model, select, source, pinned=model is Membership)
    first = [job for job in jobs if job[1].pinned]
    rest = sorted((job for job in jobs if not job[1].pinned), key=lambda job: -job[0])
    return first + rest, staff


def _copy_all(
    cursor,
    jobs: list[_Job],
    rows: list,
    staff: list[int],
    done: Callable,
    more: Callable[[], "_Job | None"] = lambda: None,
) -> int:
    """The ``jobs``, then those ``more()`` hands out until it returns None, in this
    connection's transaction (its own temporary tables). Each table is analysed after its copy
    (the planner's statistics, on this connection while the others copy). Returns how many
    tables were copied."""
    qn = connection.ops.quote_name
    cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
    cursor.execute(
        "CREATE TEMP TABLE seed_copy (k int, t_estate bigint, old_code text, new_code text, "
        "old_name text, new_name text, new_address text, new_phone text) ON COMMIT DROP"
    )
    cursor.executemany("INSERT INTO seed_copy VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.execute(
        "CREATE TEMP TABLE seed_staff ON COMMIT DROP AS SELECT unnest(%s::int[]) AS user_id",
        [staff],
    )
    jobs = list(jobs)
    copied_tables = 0
    while jobs or (job := more()) is not None:
        if jobs:
            job = jobs.pop(0)
        copied_tables += 1
        table = job.model._meta.db_table
        started = time.monotonic()
        # A big table's secondary indexes are dropped and built again after the copy: one
        # sorted build is cheaper than millions of insertions into each (the key stays).
        indexes = []
        if job.rows >= BIG_TABLE:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [table],
            )
            indexes = [(f"DROP INDEX {name}", definition) for name, definition in cursor]
            # Unique constraints (document numbers, tokens) too: checked again when rebuilt.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            indexes += [
                (
                    f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}",
                    f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}",
                )
                for name, definition in cursor.fetchall()
            ]
            for drop, _create in indexes:
                cursor.execute(drop)
        columns = ", ".join(qn(c) for c in job.select)
        cursor.execute(
            f"INSERT INTO {qn(table)} ({columns}) "
            f"SELECT {', '.join(job.select.values())} {job.source}"
        )
        n = cursor.rowcount
        copied = time.monotonic()
        builds = []
        for _drop, create in indexes:
            before = time.monotonic()
            cursor.execute(create)
            builds.append((time.monotonic() - before, _index_name(create)))
        if n:
            cursor.execute(f"ANALYZE {qn(table)}")
        elapsed = time.monotonic() - started
        if n:
            rate = f"{n / elapsed:,.0f} rows/s" if elapsed > 0 else "-"
            rebuilt = ""
            if indexes:
                builds.sort(reverse=True)
                slowest = ", ".join(f"{name} {s:.1f}" for s, name in builds[:3])
                rebuilt = (
                    f"; rows {copied - started:.1f} s, {len(indexes)} indexes rebuilt "
                    f"{elapsed - (copied - started):.1f} s (slowest: {slowest})"
                )
            done(
                job.model._meta.label,
                n,
                f"copied {table}: {n} rows, {elapsed:.1f} s ({rate}){rebuilt}",
            )
    return copied_tables


def _index_name(statement: str) -> str:
    """The index or constraint a ``CREATE INDEX`` / ``ADD CONSTRAINT`` statement builds."""
    words = statement.split()
    at = words.index("INDEX") if "INDEX" in words else words.index("CONSTRAINT")
    return words[at + 1].strip('"')


def _reset_sequences(cursor) -> None:
    qn = connection.ops.quote_name
    for model in _models():
        pk = model._meta.pk.column
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), max({qn(pk)})) FROM {qn(table)} "
            f"HAVING max({qn(pk)}) IS NOT NULL",
            [table, pk],
        )
