import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Sum

from estate import privacy
from estate.models import Estate, Membership, Unit
from repairs.models import TicketTally

NOW = "2026-11-02T03:00:00+08:00"
ARGS = [
    "seed_demo",
    "--estates",
    "2",
    "--months",
    "2",
    "--seed",
    "7",
    "--units-per-estate",
    "30",
    "--now",
    NOW,
]


class _Rollback(Exception):
    pass


# Columns that differ between two identical seeds by design: salted password hashes.
# Encrypted columns are compared decrypted (Fernet adds a random IV); keys are compared relative
# to the smallest key of their table (PostgreSQL does not give back rolled-back ids).
VOLATILE = {"password"}
SKIPPED_APPS = {"contenttypes", "sessions", "admin", "axes"}


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table, in a form that two identical seeds give equally."""
    base: dict[type, int] = {}

    def offset(model) -> int:
        if model not in base:
            first = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
            base[model] = first if isinstance(first, int) else 0
        return base[model]

    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model._meta.label == "auth.Permission":
            continue
        if model is TicketTally:
            # Rows written by PostgreSQL's triggers, one per statement: how the seed batched
            # its writes, not what it wrote. Compared as the counts they sum to, per estate.
            sums = model._base_manager.values("estate_id", "kind", "status").annotate(n=Sum("n"))
            tables[model._meta.label] = sorted(
                (t["estate_id"] - offset(Estate), t["kind"], t["status"], t["n"])
                for t in sums
                if t["n"]
            )
            continue
        fields = [f for f in model._meta.concrete_fields if f.name not in VOLATILE]
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = []
            for f in fields:
                value = getattr(obj, f.attname)
                if f.primary_key and isinstance(value, int):
                    value -= offset(model)
                elif isinstance(f, models.ForeignKey) and isinstance(value, int):
                    value -= offset(f.related_model)
                elif f.name.endswith("_enc"):
                    value = privacy.decrypt(value)
                elif isinstance(f, models.FileField):
                    value = str(value)
                row.append(value)
            rows.append(tuple(row))
        tables[model._meta.label] = rows
    return tables


def _seed_and_read() -> dict[str, list[tuple]]:
    """Seed an empty database at a fixed moment, read every table, and roll it all back."""
    try:
        with transaction.atomic(), time_machine.travel(NOW, tick=False):
            call_command(*ARGS)
            rows = _dump()
            raise _Rollback
    except _Rollback:
        return rows


def test_seed_demo_fills_every_role_and_leaves_a_filled_database_alone(db):
    call_command(*ARGS)
    assert list(Estate.objects.values_list("code", flat=True)) == ["HY01", "HY02"]
    assert Unit.objects.count() == 60
    roles = set(Membership.objects.filter(estate__code="HY01").values_list("role", flat=True))
    assert roles == {"front_desk", "technician", "manager", "finance", "admin"}
    call_command("seed_demo", "--if-empty")
    assert Unit.objects.count() == 60


def test_seed_demo_is_deterministic_in_every_table(db):
    first = _seed_and_read()
    assert not Estate.objects.exists()
    second = _seed_and_read()
    written = sorted(label for label, rows in first.items() if rows)
    # The seed writes money, tickets and their history, not only units.
    for label in ("estate.Unit", "fees.Bill", "fees.Payment", "repairs.Ticket"):
        assert label in written
    for label in written:
        assert first[label] == second[label], f"{label} differs between two seeds"
    assert first == second
