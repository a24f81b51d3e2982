"""One winner per transition: concurrent calls on one ticket (threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection

from estate.errors import DomainError
from repairs import services
from repairs.models import Ticket
from tests.factories import make_estate, make_staff, make_unit
from tests.repairs.factories import make_category, make_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, fn):
    results, barrier = [], threading.Barrier(n)

    def worker():
        try:
            barrier.wait()
            fn()
            results.append(200)
        except DomainError as exc:
            results.append(exc.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.parametrize("action", ["accept", "resolve"])
def test_twenty_concurrent_calls_one_success(action):
    estate = make_estate(code="CC01")
    desk = make_staff(estate, "front_desk")
    ticket = make_ticket(estate)
    if action == "resolve":
        services.ticket_accept(ticket=ticket, by=desk)
    fn = getattr(services, f"ticket_{action}")
    results = _race(20, lambda: fn(ticket=Ticket.objects.get(pk=ticket.pk), by=desk))
    assert results == [200] + [409] * 19
    assert (
        ticket.history.filter(kind=f"{action}ed" if action == "accept" else "resolved").count() == 1
    )


def test_concurrent_creations_get_distinct_numbers():
    estate = make_estate(code="CC02")
    cat, unit = make_category(estate), make_unit(estate)
    results = _race(10, lambda: make_ticket(estate, category=cat, unit=unit))
    assert results == [200] * 10
    numbers = set(Ticket.objects.filter(estate=estate).values_list("number", flat=True))
    assert len(numbers) == 10
    assert max(numbers).endswith("-0010")
