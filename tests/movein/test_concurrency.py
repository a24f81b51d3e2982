"""Bookings under concurrency, on PostgreSQL with real threads released by a barrier."""

import datetime as dt
import threading

import pytest
from django.db import connection

from estate.errors import DomainError
from residents.movein import services
from residents.movein.models import BookedDay, BookedSlot, BookingSettings, Handover, SlotTemplate
from tests.factories import make_estate, make_unit
from tests.movein.factories import NOW
from tests.movein.invariants import assert_booking_invariants

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(n: int, fns) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def worker(fn):
        try:
            barrier.wait()
            out = fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            out = exc
        finally:
            connection.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_concurrent_bookings_for_the_last_five_places_confirm_exactly_five():
    estate = make_estate(code="CC01")
    services.calendar_install_defaults(estate=estate)
    BookingSettings.objects.filter(estate=estate).update(daily_capacity=10)
    day = dt.date(2026, 10, 12)
    slots = list(SlotTemplate.objects.filter(estate=estate).order_by("start"))
    # The day already holds 5 bookings: 5 places are left, which 20 clerks want at once,
    # spread over two slots (so the day's capacity, not one slot's, is what runs out).
    for i in range(5):
        services.handover_book(
            estate=estate,
            unit=make_unit(estate),
            date=day,
            slot=slots[i % 2],
            owner_name=f"业主{i}",
            owner_phone=f"1390000{i:04d}",
            now=NOW,
        )
    units = [make_unit(estate) for _ in range(20)]

    def booking(i):
        return lambda: services.handover_book(
            estate=estate,
            unit=units[i],
            date=day,
            slot=slots[2 + i % 3],
            owner_name=f"新业主{i}",
            owner_phone=f"1370000{i:04d}",
            now=NOW,
        )

    results = _run(20, [booking(i) for i in range(20)])
    booked = [r for r in results if isinstance(r, Handover)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(booked) == 5, results
    assert len(refused) == 15
    assert {(e.code, e.status) for e in refused} <= {("day_full", 409), ("slot_full", 409)}
    assert BookedDay.objects.get(estate=estate, date=day).booked == 10
    assert Handover.objects.filter(estate=estate, booked_date=day).count() == 10
    assert_booking_invariants()


def test_twenty_concurrent_bookings_of_one_slot_with_five_places():
    estate = make_estate(code="CC02")
    services.calendar_install_defaults(estate=estate)
    slot = SlotTemplate.objects.filter(estate=estate).order_by("-start").first()
    SlotTemplate.objects.filter(pk=slot.pk).update(capacity=5)
    slot.refresh_from_db()
    units = [make_unit(estate) for _ in range(20)]
    results = _run(
        20,
        [
            (
                lambda i=i: services.handover_book(
                    estate=estate,
                    unit=units[i],
                    date=dt.date(2026, 10, 12),
                    slot=slot,
                    owner_name=f"新业主{i}",
                    owner_phone=f"1370000{i:04d}",
                    now=NOW,
                )
            )
            for i in range(20)
        ],
    )
    assert sum(isinstance(r, Handover) for r in results) == 5
    codes = {getattr(r, "code", None) for r in results if not isinstance(r, Handover)}
    assert codes == {"slot_full"}
    assert BookedSlot.objects.get(template=slot).booked == 5
    assert_booking_invariants()
