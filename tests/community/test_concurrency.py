"""Places under concurrency, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection

from community import services
from community.models import Event, SignUp
from tests.community.factories import make_event, sign_up
from tests.community.invariants import assert_event_invariants
from tests.factories import make_estate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            out = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            out = exc
        finally:
            connection.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_thirty_concurrent_signups_for_the_last_ten_places_confirm_ten():
    estate = make_estate(code="CE01")
    event = make_event(estate, capacity=40)
    for i in range(30):
        sign_up(event, name=f"早到{i}")

    results = _run(30, lambda i: sign_up(event, name=f"抢位{i}", phone=f"1390000{i:04d}"))

    assert all(isinstance(r, SignUp) for r in results), results
    statuses = [r.status for r in results]
    assert statuses.count(SignUp.Status.CONFIRMED) == 10
    assert statuses.count(SignUp.Status.WAITLISTED) == 20
    event.refresh_from_db()
    assert event.confirmed_places == 40
    assert_event_invariants()

    first_waiting = SignUp.objects.filter(event=event, status="waitlisted").order_by("id").first()
    cancelled = SignUp.objects.filter(event=event, status="confirmed").first()
    promoted = services.signup_cancel(signup=cancelled)
    assert [s.pk for s in promoted] == [first_waiting.pk]
    assert SignUp.objects.filter(event=event, status="confirmed").count() == 40
    assert SignUp.objects.filter(event=event, status="waitlisted").count() == 19
    assert Event.objects.get(pk=event.pk).confirmed_places == 40
    assert_event_invariants()


def test_concurrent_draws_of_the_call_list_make_one_list():
    from community.models import CallSample, Survey
    from tests.factories import make_unit

    estate = make_estate(code="CE02")
    for _ in range(30):
        make_unit(estate)
    results = _run(
        8, lambda i: services.call_samples_draw(estate=estate, period_label="2026-10").pk
    )
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Survey.objects.filter(kind="monthly_call").count() == 1
    assert CallSample.objects.count() == 20
