"""Fixed reads of whole rows, their SQL written once per process.

On the busiest write paths (a ticket logged at the front desk or by a resident's form) each
small lookup (the estate by its code, the category, the unit) cost about six times more CPU in
Django building and compiling its queryset than in running it. ``FixedSelect`` keeps the
statement's text, built from the model's own table and columns, and the database converters of
its columns; a call only binds its values and turns rows into model instances as the ORM does
(``Model.from_db``, so ``_state`` and deferred loading behave the same).

The condition is SQL with ``{column}`` names (quoted for the database in use) and ``%s`` for
the values, e.g. ``"{estate_id} = %s AND {code} = %s"``; values are given in their database
form (ids, texts; :func:`db_int` for an id typed by a user). Keep the condition to what both
PostgreSQL and SQLite read the same way (the tests run on both)."""

from __future__ import annotations

from django.db import connections, router

from estate.prepared import Kept, execute

_BIGINT = range(-(2**63), 2**63)


def db_int(value) -> int | None:
    """``value`` as an id a database can compare (None when it is not one: no row has it)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in _BIGINT else None


class _KeptPerConnection:
    """A statement built once per database connection (alias and vendor) and kept."""

    def __init__(self, model):
        self.model = model
        self._compiled: dict = {}

    def _compile(self, connection):
        key = (connection.alias, connection.vendor)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._build(connection)
        return found


class FixedSelect(_KeptPerConnection):
    """``SELECT <every column of model> FROM <its table> WHERE <where> [ORDER BY] [LIMIT]``."""

    def __init__(self, model, where: str, *, order_by: tuple[str, ...] = (), limit: int = 0):
        super().__init__(model)
        self.where = where
        self.order_by = order_by
        self.limit = limit

    def _build(self, connection):
        meta = self.model._meta
        qn = connection.ops.quote_name
        table = qn(meta.db_table)
        fields = list(meta.concrete_fields)
        names = {f.attname: f"{table}.{qn(f.column)}" for f in fields}
        names.update({f.name: names[f.attname] for f in fields})
        columns = ", ".join(names[f.attname] for f in fields)
        sql = f"SELECT {columns} FROM {table} WHERE {self.where.format(**names)}"
        if self.order_by:
            order = []
            for name in self.order_by:
                desc = name.startswith("-")
                order.append(names[name.lstrip("-")] + (" DESC" if desc else " ASC"))
            sql += " ORDER BY " + ", ".join(order)
        if self.limit:
            sql += f" LIMIT {int(self.limit)}"
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(meta.db_table)
            funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if funcs:
                converters.append((i, col, funcs))
        return (Kept(sql), [f.attname for f in fields], converters)

    def all(self, *params) -> list:
        """The matching rows as model instances (in ``order_by``'s order)."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        kept, attnames, converters = self._compile(connection)
        with connection.cursor() as cursor:
            execute(connection, cursor, kept, params)
            rows = cursor.fetchall()
        from_db = self.model.from_db
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for i, col, funcs in converters:
                    value = row[i]
                    for func in funcs:
                        value = func(value, col, connection)
                    row[i] = value
            out.append(from_db(alias, attnames, row))
        return out

    def first(self, *params):
        """The first matching row, or None."""
        rows = self.all(*params)
        return rows[0] if rows else None


class FixedInsert(_KeptPerConnection):
    """``obj.save()`` of a new row, its ``INSERT … RETURNING <pk>`` written once per process.

    Django's save builds and compiles an INSERT for every object (a ticket has 40 columns:
    about 1 ms of CPU). This keeps the text and does per object only what save does per field:
    ``pre_save`` (``auto_now``, ``auto_now_add``) and ``get_db_prep_save``. A model whose
    saves have receivers (``pre_save``/``post_save``) or whose fields have database defaults
    is saved by ``obj.save()`` as before; so is an object whose primary key is already set."""

    def _build(self, connection):
        meta = self.model._meta
        qn = connection.ops.quote_name
        pk = meta.pk
        fields = [
            f for f in meta.concrete_fields if f is not pk and not getattr(f, "generated", False)
        ]
        plain = (
            pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
            and not any(f.has_db_default() for f in meta.concrete_fields)
            and meta.parents == {}
        )
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(pk.column)}"
        )
        return (Kept(sql), fields, plain)

    def save(self, obj):
        """Insert ``obj`` (a new object of the model) and set its primary key."""
        from django.db import transaction
        from django.db.models.signals import post_save, pre_save

        alias = router.db_for_write(self.model, instance=obj)
        connection = connections[alias]
        kept, fields, plain = self._compile(connection)
        if (
            not plain
            or obj.pk is not None
            or pre_save.has_listeners(self.model)
            or post_save.has_listeners(self.model)
        ):
            obj.save(using=alias)
            return obj
        obj._prepare_related_fields_for_save(operation_name="save")
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            execute(connection, cursor, kept, params)
            (pk,) = cursor.fetchone()
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
        return obj
