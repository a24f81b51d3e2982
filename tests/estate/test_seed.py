from django.core.management import call_command

from estate.models import Estate, Membership, Unit


def test_seed_demo_is_deterministic_and_fills_every_role(db):
    call_command(
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
    )
    assert list(Estate.objects.values_list("code", flat=True)) == ["HY01", "HY02"]
    assert Unit.objects.count() == 60
    roles = set(Membership.objects.filter(estate__code="HY01").values_list("role", flat=True))
    assert roles == {"front_desk", "technician", "manager", "finance", "admin"}
    first = list(
        Unit.objects.order_by("estate__code", "number").values_list("number", "floor_area")
    )
    # --if-empty leaves a filled database alone.
    call_command("seed_demo", "--if-empty")
    assert Unit.objects.count() == 60
    Unit.objects.all().delete()
    Membership.objects.all().delete()
    Estate.objects.all().delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    call_command(
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
    )
    again = list(
        Unit.objects.order_by("estate__code", "number").values_list("number", "floor_area")
    )
    assert first == again
