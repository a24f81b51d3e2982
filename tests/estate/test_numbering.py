"""The one counter service behind every document number."""

import threading

import pytest
from django.db import connection, transaction

from estate.models import Sequence
from estate.numbering import sequence_next, sequence_peek
from tests.factories import make_estate


def test_sequence_starts_at_one_and_counts_per_estate_and_name(estate_a, estate_b):
    assert sequence_peek(estate=estate_a, name="x") == 0
    assert [sequence_next(estate=estate_a, name="x") for _ in range(3)] == [1, 2, 3]
    assert sequence_next(estate=estate_a, name="y") == 1
    assert sequence_next(estate=estate_b, name="x") == 1
    assert sequence_peek(estate=estate_a, name="x") == 3
    assert Sequence.objects.count() == 3


def test_a_rolled_back_number_is_given_again(estate_a):
    sequence_next(estate=estate_a, name="x")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(estate=estate_a, name="x") == 2
        raise RuntimeError
    assert sequence_next(estate=estate_a, name="x") == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True], ids=["first-use", "existing-row"])
def test_twenty_concurrent_calls_give_twenty_consecutive_values(existing):
    estate = make_estate(code="SQ01")
    if existing:
        sequence_next(estate=estate, name="doc")
    start = sequence_peek(estate=estate, name="doc")
    barrier = threading.Barrier(20)
    results, errors, lock = [], [], threading.Lock()

    def worker():
        try:
            barrier.wait()
            with transaction.atomic():
                value = sequence_next(estate=estate, name="doc")
            with lock:
                results.append(value)
        except Exception as exc:  # noqa: BLE001 - asserted below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(start + 1, start + 21))
    assert sequence_peek(estate=estate, name="doc") == start + 20
