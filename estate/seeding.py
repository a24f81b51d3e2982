"""The demo-data registry: each app's ``seed.py`` adds a part to ``seed_demo``.

A part is ``fn(ctx)``; parts run in ``order`` and share one ``SeedContext``, which carries the
random generator (deterministic for a given seed) and what earlier parts made."""

import datetime as dt
import io
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.base import ModelState

_parts: list[tuple[int, str, Callable]] = []


@dataclass
class SeedContext:
    rng: random.Random
    estates: int
    months: int
    now: dt.datetime
    scale: float = 1.0
    # The company of QUALITY.md (100 estates, 150,000 units, 1,000,000 tickets over 12 months,
    # 20,000 renovation applications): parts size their rows to it rather than to the demo's.
    company_scale: bool = False
    data: dict = field(default_factory=dict)
    log: Callable[[str], None] = lambda msg: None


def register(order: int, name: str):
    def decorator(fn):
        if all(n != name for _, n, _ in _parts):
            _parts.append((order, name, fn))
        return fn

    return decorator


def parts() -> list[tuple[int, str, Callable]]:
    return sorted(_parts, key=lambda p: p[0])


# --- Fast inserts --------------------------------------------------------------------------
#
# ``bulk_create`` spends most of its time per object and per field in Python (pre_save,
# get_db_prep_save, the SQL compiler) and sends one INSERT of a few thousand rows at a time. At
# company scale (QUALITY.md: a million tickets, several million history rows, two million
# bills) that dominates seeding. On PostgreSQL ``bulk_insert`` reserves the ids from the table's
# sequence in one query and streams the rows with COPY; elsewhere (SQLite, the small demo and
# the tests) it is ``bulk_create``. Either way the objects come back with their pks set.

COPY_MIN_ROWS = 1000
_COPY_CHUNK = 50_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "ForeignKey",
    "OneToOneField",
}
_STR_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
inserted: Counter = Counter()  # rows written per model label, read by seed_demo's progress


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    if isinstance(value, (dict, list)):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, (bytes, memoryview)):
        return "\\\\x" + bytes(value).hex()
    return str(value)


def _converter(model_field):
    """A function ``obj -> COPY text`` for one concrete field."""
    kind = model_field.get_internal_type()
    attname = model_field.attname
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        return lambda obj: _text(model_field.pre_save(obj, True))
    if kind in _INT_TYPES:

        def as_int(obj):
            value = obj.__dict__[attname]
            return "\\N" if value is None else str(value)

        return as_int
    if kind in _STR_TYPES:

        def as_str(obj):
            value = obj.__dict__[attname]
            return "\\N" if value is None else str(value).translate(_ESCAPES)

        return as_str
    if kind in ("BooleanField", "DateTimeField", "DateField", "TimeField"):
        return lambda obj: _text(obj.__dict__[attname])
    if kind == "JSONField":

        def as_json(obj):
            value = obj.__dict__[attname]
            if value is None:
                return "\\N"
            return json.dumps(value, cls=model_field.encoder).translate(_ESCAPES)

        return as_json
    return lambda obj: _text(model_field.get_db_prep_save(getattr(obj, attname), connection))


def _link_related(objs: list, fields: list) -> None:
    """What bulk_create does first: a foreign key set to an object saved since takes its pk."""
    for model_field in fields:
        if not (model_field.many_to_one or model_field.one_to_one):
            continue
        attname, name = model_field.attname, model_field.name
        for obj in objs:
            if obj.__dict__.get(attname) is None:
                related = model_field.get_cached_value(obj, None)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{obj!r}: {name} is not saved")
                    obj.__dict__[attname] = related.pk


def bulk_insert(model, objs: list, *, batch_size: int = 5000) -> list:
    """Insert ``objs`` as ``model.objects.bulk_create(objs)`` does (pks set afterwards); on
    PostgreSQL with COPY, for many rows at once (see above)."""
    objs = list(objs)
    inserted[model._meta.label] += len(objs)
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        return model.objects.bulk_create(objs, batch_size=batch_size)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
    _link_related(objs, fields)
    pk = meta.pk
    missing = [obj for obj in objs if obj.pk is None]
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = value
        converters = [_converter(f) for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        raw = cursor.cursor
        for start in range(0, len(objs), _COPY_CHUNK):
            chunk = objs[start : start + _COPY_CHUNK]
            data = "".join(
                "\t".join([convert(obj) for convert in converters]) + "\n" for obj in chunk
            )
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, io.StringIO(data))
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(data)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


_SPECS: dict = {}


def new(model, **values):
    """``model(**values)`` without ``Model.__init__``'s per-field work (about five times
    faster): for the millions of rows a company-scale seed builds in memory. Defaults are the
    fields' own; a relation given by name goes through its descriptor, as in ``__init__``."""
    spec = _SPECS.get(model)
    if spec is None:
        constants, callables, relations = {}, [], set()
        for f in model._meta.concrete_fields:
            if f.is_relation:
                relations.add(f.name)
            if f.has_default() and callable(f.default):
                callables.append((f.attname, f.default))
            else:
                constants[f.attname] = f.get_default()
        spec = _SPECS[model] = (constants, callables, relations)
    constants, callables, relations = spec
    obj = model.__new__(model)
    obj._state = ModelState()
    state = obj.__dict__
    state.update(constants)
    for attname, default in callables:
        state[attname] = default()
    for name, value in values.items():
        if name in relations:
            setattr(obj, name, value)
        else:
            state[name] = value
    return obj
