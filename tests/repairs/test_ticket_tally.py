"""The ticket tallies (TicketTally, kept by PostgreSQL's triggers) and the list's count read from
them: whatever writes the tickets, the tallies sum to the tickets' own count per estate, kind and
status, and the list's count equals counting its tickets."""

import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from estate.models import Estate
from estate.seeding import bulk_insert
from repairs import selectors, services
from repairs.models import Ticket, TicketEvent, TicketTally
from tests.factories import make_company_admin, make_estate, make_staff, make_unit
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.postgres


def _tallies() -> dict:
    rows = TicketTally.objects.values("estate_id", "kind", "status").annotate(n=Sum("n"))
    return {(r["estate_id"], r["kind"], r["status"]): r["n"] for r in rows if r["n"]}


def _counted() -> dict:
    rows = Ticket.objects.values("estate_id", "kind", "status").annotate(n=Count("id"))
    return {(r["estate_id"], r["kind"], r["status"]): r["n"] for r in rows}


def _delete(ticket) -> None:
    """A ticket removed (as an estate's data is): its history first, which protects it."""
    TicketEvent.objects.filter(ticket=ticket).delete()
    Ticket.objects.filter(pk=ticket.pk).delete()


def _tickets(estate, n, **kw):
    category = make_category(estate, kw.get("kind", "repair"))
    return [
        make_ticket(estate, category=category, now=at("2026-10-01 09:00"), **kw) for _ in range(n)
    ]


@pytest.mark.django_db
def test_every_way_of_writing_tickets_keeps_the_tallies(estate_a, estate_b):
    desk = make_staff(estate_a, "front_desk")
    made = _tickets(estate_a, 4) + _tickets(estate_b, 2)
    assert (
        _tallies()
        == _counted()
        == {
            (estate_a.pk, "repair", "submitted"): 4,
            (estate_b.pk, "repair", "submitted"): 2,
        }
    )
    services.ticket_accept(ticket=made[0], by=desk)  # a transition (save of the whole row)
    services.ticket_cancel(ticket=made[1], by=desk, reason="duplicate", note="重复")
    assert _tallies() == _counted()
    Ticket.objects.filter(pk__in=[t.pk for t in made[2:4]]).update(kind="complaint")  # bulk
    Ticket.objects.filter(pk=made[4].pk).update(estate=estate_a)  # moved between estates
    Ticket.objects.filter(pk=made[0].pk).update(reporter_name="王先生")  # no tally changes
    assert _tallies() == _counted()
    _delete(made[5])
    assert _tallies() == _counted()
    assert _tallies()[(estate_a.pk, "repair", "submitted")] == 1


@pytest.mark.django_db(transaction=True)
def test_the_seeds_copy_with_triggers_off_is_tallied_and_truncate_empties():
    """The scale seed copies tickets with session_replication_role = replica (foreign-key
    triggers off): the tally's triggers fire all the same."""
    estate = make_estate("TC01")
    template = _tickets(estate, 1)[0]
    copies = []
    for i in range(1200):  # past seeding.COPY_MIN_ROWS: written with COPY
        copy = Ticket.objects.get(pk=template.pk)
        copy.pk = None
        copy.number = f"C{i:05d}"
        copy.tracking_code = f"tc{i:06d}"
        copy.status = "closed" if i % 3 else "resolved"
        copy.outcome = "solved" if i % 3 else ""
        copies.append(copy)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role TO replica")
    try:
        bulk_insert(Ticket, copies)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role TO DEFAULT")
    assert (
        _tallies()
        == _counted()
        == {
            (estate.pk, "repair", "submitted"): 1,
            (estate.pk, "repair", "closed"): 800,
            (estate.pk, "repair", "resolved"): 400,
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE repairs_ticket CASCADE")
    assert TicketTally.objects.count() == 0


@pytest.mark.django_db
def test_folding_keeps_every_count_and_twice_changes_nothing(estate_a, estate_b):
    made = _tickets(estate_a, 5) + _tickets(estate_b, 3)
    desk = make_staff(estate_a, "front_desk")
    for ticket in made[:3]:
        services.ticket_accept(ticket=ticket, by=desk)
    _delete(made[3])
    before = _tallies()
    assert TicketTally.objects.count() > len(before)
    folded = services.ticket_tallies_compact(estate_ids=[estate_a.pk])
    assert folded > 0
    assert _tallies() == before == _counted()
    assert not TicketTally.objects.filter(estate_id=estate_a.pk, n=0).exists()
    assert TicketTally.objects.filter(estate_id=estate_a.pk).count() == 2  # submitted 1, accepted 3
    assert TicketTally.objects.filter(estate_id=estate_b.pk).count() == 3  # not asked: not folded
    services.ticket_tallies_compact()
    assert services.ticket_tallies_compact() == 0
    assert TicketTally.objects.count() == len(before) == 3


@pytest.mark.django_db(transaction=True)
def test_folding_while_tickets_are_logged_loses_no_ticket():
    """Two foldings and a clerk logging tickets at the same time (threads, each its own
    connection): the tallies still sum to the tickets."""
    estate = make_estate("TC02")
    category, unit = make_category(estate), make_unit(estate)
    barrier = threading.Barrier(3)
    errors = []

    def log_tickets():
        try:
            barrier.wait()
            for _ in range(15):
                make_ticket(estate, category=category, unit=unit)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    def fold():
        try:
            barrier.wait()
            for _ in range(15):
                services.ticket_tallies_compact()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (log_tickets, fold, fold)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _tallies() == _counted() == {(estate.pk, "repair", "submitted"): 15}


@pytest.mark.django_db
def test_the_lists_count_is_read_from_the_tallies_and_equals_the_tickets(
    client, estate_a, estate_b
):
    made = _tickets(estate_a, 6) + _tickets(estate_b, 4, kind="complaint")
    desk = make_staff(estate_a, "front_desk")
    for ticket in made[:2]:
        services.ticket_accept(ticket=ticket, by=desk)
    boss = make_company_admin()
    client.force_login(boss)
    for filters in ({}, {"kind": "repair"}, {"status": "open"}, {"estate": "HY02"},
                    {"estate": "HY01", "status": "accepted"}, {"status": "closed"}):  # fmt: skip
        typed = {**filters}
        if "estate" in typed:
            typed["estate"] = Estate.objects.get(code=typed["estate"])
        body = client.get("/api/v1/tickets", {"limit": 1, **filters}).json()
        assert body["count"] == selectors.ticket_list(user=boss, **typed).count(), filters
        assert selectors._tallied_estates(boss, {**typed, "now": None}) is not False, filters
    assert client.get("/api/v1/tickets", {"limit": 1}).json()["count"] == 10
    # a filter the tallies do not key, and a technician's own work, count their tickets
    assert selectors._tallied_estates(boss, {"q": "王", "now": None}) is False
    tech = make_staff(estate_a, "technician")
    assert selectors._tallied_estates(tech, {"now": None}) is False
    services.ticket_dispatch(ticket=made[0], by=desk, assignee=tech)
    client.force_login(tech)
    assert client.get("/api/v1/tickets").json()["count"] == 1


@pytest.mark.django_db
def test_a_count_that_read_many_tally_rows_has_them_folded(client, estate_a, monkeypatch):
    monkeypatch.setattr(selectors, "TALLY_ROWS_FOLD", 3)
    made = _tickets(estate_a, 6)
    assert TicketTally.objects.filter(estate_id=estate_a.pk).count() == 6
    client.force_login(make_staff(estate_a, "front_desk"))
    assert client.get("/api/v1/tickets", {"limit": 1}).json()["count"] == 6
    # Huey runs immediately in the tests: the fold was asked for and done
    assert TicketTally.objects.filter(estate_id=estate_a.pk).count() == 1
    _delete(made[0])
    assert client.get("/api/v1/tickets", {"limit": 1}).json()["count"] == 5
