"""seed_demo at company scale on PostgreSQL: template estates simulated in Python, the others
copied from them in the database (estate.replicate), on a tiny size."""

import io
import threading
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from estate import kpi, privacy, replicate
from estate.kpi import Period
from estate.management.commands import seed_demo
from estate.models import Estate, Membership, Unit
from fees.models import Allocation, Bill, Payment
from repairs.models import Ticket, TicketEvent, TicketTally
from residents.models import Resident

pytestmark = [pytest.mark.postgres]

ZERO = Value(Decimal(0), output_field=DecimalField())
NOW = "2026-11-20T03:00:00+08:00"


@pytest.fixture(
    params=[
        pytest.param(1, marks=pytest.mark.django_db, id="one connection"),
        # Other connections see only committed rows: no test transaction around the seed.
        pytest.param(2, marks=pytest.mark.django_db(transaction=True), id="two connections"),
    ]
)
def seeded(request, monkeypatch):
    # The big tables' path (indexes and unique constraints dropped, rebuilt after the copy).
    monkeypatch.setattr(replicate, "BIG_TABLE", 100)
    workers = request.param
    copied: dict[int, int] = {}  # tables copied per connection (thread)
    copy_all = replicate._copy_all

    def spy(cursor, jobs, *args):
        n = copy_all(cursor, jobs, *args)
        ident = threading.get_ident()
        copied[ident] = copied.get(ident, 0) + n
        return n

    monkeypatch.setattr(replicate, "_copy_all", spy)
    out = _seed(workers)
    # The tables were shared out among that many connections, each copying some.
    assert len(copied) == workers and all(copied.values()), copied
    if workers > 1:
        # The tickets and their histories were copied while the fees were being simulated.
        early = out.index("\ncopying ")
        tables = out[early:].split(" now")[0].removeprefix("\ncopying ").split(", ")
        assert sorted(tables) == ["repairs_returnvisit", "repairs_ticket", "repairs_ticketevent"]
        assert out.index("\nhandovers:") < early < out.index("\nfees:")
    return list(Estate.objects.order_by("id"))


def _seed(workers: int) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed_demo",
            "--scale",
            "--estates",
            "3",
            "--months",
            "2",
            "--units-per-estate",
            "30",
            "--templates",
            "1",
            "--copy-workers",
            str(workers),
            "--seed",
            "3",
            "--now",
            NOW,
            stdout=out,
        )
    return out.getvalue()


def _per_estate(model) -> list[int]:
    counts = dict(model.objects.values_list("estate").annotate(n=Count("id")))
    return [counts.get(e.pk, 0) for e in Estate.objects.order_by("id")]


def test_copies_are_whole_estates_with_their_own_codes_staff_and_numbers(seeded):
    assert [e.code for e in seeded] == ["HY01", "HY02", "HY03"]
    assert len({e.name for e in seeded}) == 3
    for model in (Unit, Ticket, TicketEvent, Bill, Payment, Allocation):
        counts = _per_estate(model)
        assert counts[0] > 0, model
        assert counts == [counts[0]] * 3, model  # each copy as big as its template
    # Each estate has its own staff, who can act on it alone.
    manager = get_user_model().objects.get(username="hy03-manager")
    assert list(Membership.objects.filter(user=manager).values_list("estate__code", flat=True)) == [
        "HY03"
    ]
    assert manager.first_name == f"{seeded[2].name}经理"
    assert Ticket.objects.filter(estate=seeded[2], assignee__username="hy01-tech1").count() == 0
    assert (
        TicketEvent.objects.filter(estate=seeded[2], by_name__startswith=seeded[0].name).count()
        == 0
    )
    # Document numbers are unique and carry their estate's code; tokens are unique too.
    for model in (Ticket, Bill, Payment):
        numbers = list(model.objects.values_list("estate__code", "number"))
        assert len({n for _c, n in numbers}) == len(numbers)
        assert all(code in number for code, number in numbers), model
    assert Ticket.objects.values("tracking_code").distinct().count() == Ticket.objects.count()
    # Phones stay decryptable.
    phone = Ticket.objects.filter(estate=seeded[2]).exclude(reporter_phone_enc="").first()
    assert privacy.decrypt(phone.reporter_phone_enc).startswith("1")


def test_every_key_of_the_copies_points_to_an_existing_row(seeded):
    broken = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._base_manager.values("pk")
            orphans = (
                model._base_manager.exclude(**{f"{field.attname}__isnull": True})
                .exclude(**{f"{field.attname}__in": target})
                .count()
            )
            if orphans:
                broken.append(f"{model._meta.label}.{field.name}: {orphans}")
    assert broken == []
    # Keys stay within an estate: a copied ticket's unit and history are the copy's.
    assert not Ticket.objects.exclude(unit__isnull=True).exclude(unit__estate=F("estate")).exists()
    assert not TicketEvent.objects.exclude(ticket__estate=F("estate")).exists()
    assert not Allocation.objects.exclude(bill__estate=F("estate")).exists()
    assert not Allocation.objects.exclude(payment__estate=F("estate")).exists()


def test_the_copies_keep_the_ledger_and_the_ticket_histories_consistent(seeded):
    # A bill's paid amount is the sum of its allocations; no payment is allocated beyond its
    # amount.
    bills = Bill.objects.annotate(allocated=Coalesce(Sum("allocations__amount"), ZERO))
    assert bills.count() > 0
    assert not bills.exclude(amount_paid=F("allocated")).exists()
    payments = Payment.objects.annotate(
        allocated=Coalesce(
            Sum("allocations__amount", filter=Q(allocations__reversal__isnull=True)), ZERO
        )
    )
    assert not payments.filter(allocated__gt=F("amount")).exists()
    # A ticket's status is where its history last took it.
    for estate in seeded:
        wrong = 0
        for ticket in Ticket.objects.filter(estate=estate).prefetch_related("history"):
            moves = [e for e in ticket.history.all() if e.to_status]
            moves.sort(key=lambda e: (e.at, e.id))
            wrong += bool(moves) and moves[-1].to_status != ticket.status
        assert wrong == 0, estate.code
    # The ticket tallies (written by PostgreSQL's triggers as the tickets were copied, with the
    # seed's foreign-key triggers off) sum to the tickets of every estate, kind and status.
    tallies = TicketTally.objects.values("estate_id", "kind", "status").annotate(n=Sum("n"))
    counted = Ticket.objects.values("estate_id", "kind", "status").annotate(n=Count("id"))
    assert {(t["estate_id"], t["kind"], t["status"]): t["n"] for t in tallies if t["n"]} == {
        (t["estate_id"], t["kind"], t["status"]): t["n"] for t in counted
    }
    # The sequences continue after the copies' keys.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('repairs_ticket', 'id'))")
        assert cursor.fetchone()[0] > Ticket.objects.order_by("-id").values_list("id", flat=True)[0]


def test_rates_of_the_copies_are_computable_and_equal_their_templates(seeded):
    with time_machine.travel(NOW, tick=False):
        jobs = []
        for estate in seeded:
            now = timezone.now()
            period = Period.containing(estate.tz, now, now=now).previous()
            jobs.append((estate, period))
        results = kpi.compute_many(jobs)
    rates = [{key: ratio.rate for key, ratio in result.items()} for result in results]
    known = {key: rate for key, rate in rates[0].items() if rate is not None}
    assert len(known) >= 5  # non-trivial: tickets, fees, renovation ... have rates
    assert rates[1] == rates[0] and rates[2] == rates[0]


def _with_part_after_handovers(monkeypatch, fn) -> None:
    """A later part (as if a module's seed after the handovers did ``fn``)."""
    registered = seed_demo.parts()
    monkeypatch.setattr(
        seed_demo, "parts", lambda: sorted([*registered, (36, "meddler", fn)], key=lambda p: p[0])
    )


@pytest.mark.django_db(transaction=True)
def test_a_later_part_writing_a_table_copied_early_fails_the_seed(monkeypatch):
    def meddle(ctx):
        Ticket.objects.filter(pk=Ticket.objects.order_by("pk").values("pk")[:1]).update(
            description="changed after its copy began"
        )

    _with_part_after_handovers(monkeypatch, meddle)
    with pytest.raises(CommandError, match="meddler part wrote repairs_ticket"):
        _seed(2)


@pytest.mark.django_db(transaction=True)
def test_a_later_part_adding_rows_a_copied_ticket_points_to_fails_the_seed(monkeypatch):
    def meddle(ctx):
        # A resident more: the copies' resident keys would no longer match the tickets'.
        Resident.objects.create(estate=Estate.objects.get(), name="迟到的住户")

    _with_part_after_handovers(monkeypatch, meddle)
    with pytest.raises(RuntimeError, match="residents_resident"):
        _seed(2)
