from django.core.management import call_command
from django.db import transaction

from estate.models import Estate, Membership, Unit

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
    "2026-11-02T03:00:00+08:00",
]


class _Rollback(Exception):
    pass


def _seed_and_read() -> list:
    """Seed an empty database, read what was made, and roll it all back."""
    try:
        with transaction.atomic():
            call_command(*ARGS)
            rows = list(
                Unit.objects.order_by("estate__code", "number").values_list("number", "floor_area")
            )
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


def test_seed_demo_is_deterministic(db):
    first = _seed_and_read()
    assert not Estate.objects.exists()
    assert first and first == _seed_and_read()
