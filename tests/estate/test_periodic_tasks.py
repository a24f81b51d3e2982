"""Periodic work with several consumers: each periodic task is enqueued once per schedule
whatever the number of consumers (estate/taskqueue.py), and running any of them twice leaves
the same data as running it once."""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils.module_loading import autodiscover_modules

ROOT = Path(__file__).resolve().parents[2]


def _periodic_task_classes() -> list:
    """Every periodic task the consumers schedule (the apps' tasks modules, as run_huey loads)."""
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    return sorted(HUEY._registry._periodic_tasks, key=HUEY._registry.task_to_string)


def _task_id(task_class) -> str:
    return f"{task_class.__module__}.{task_class.__name__}"


def _clear_claims(huey) -> None:
    for key in huey.storage.conn.scan_iter(f"huey.periodic.{huey.name}.*"):
        huey.storage.conn.delete(key)


@pytest.mark.redis
def test_two_schedulers_enqueue_every_periodic_task_once_per_schedule():
    """Two consumers' schedulers look at every minute of a day that starts a month (when the
    monthly tasks are due too): each task due in a minute is enqueued by exactly one of them."""
    from huey.contrib.djhuey import HUEY

    from estate.taskqueue import OncePerScheduleRedisHuey

    assert isinstance(HUEY, OncePerScheduleRedisHuey)
    classes = _periodic_task_classes()
    assert len(classes) >= 10  # kpi refresh, overdue, bills, samples, heartbeat ...
    HUEY.immediate = False  # Redis storage, as the consumers use it (tests run immediate)
    _clear_claims(HUEY)
    enqueued: dict[str, int] = {}
    expected: dict[str, int] = {}
    try:
        start = dt.datetime(2031, 3, 1, 0, 0)  # naive UTC, as the scheduler passes it
        for minute in range(24 * 60):
            at = start + dt.timedelta(minutes=minute)
            due = [c for c in classes if c().validate_datetime(at)]
            first = HUEY.read_periodic(at)  # one consumer's scheduler
            second = HUEY.read_periodic(at)  # the other's, the same minute
            assert second == []
            assert sorted(_task_id(type(t)) for t in first) == sorted(_task_id(c) for c in due)
            for task in first:
                enqueued[_task_id(type(task))] = enqueued.get(_task_id(type(task)), 0) + 1
            for c in due:
                expected[_task_id(c)] = expected.get(_task_id(c), 0) + 1
    finally:
        _clear_claims(HUEY)
        HUEY.immediate = True
    assert enqueued == expected
    # Every periodic task falls due on such a day, and the minutely heartbeat 1,440 times.
    assert set(enqueued) == {_task_id(c) for c in classes}
    assert enqueued["estate.tasks.consumer_heartbeat"] == 24 * 60


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _run_two_consumers(env: dict) -> tuple[str, str, str]:
    """Start two consumers together, wait until both are up and the heartbeat of their first
    minute ran, stop them; (output of each, the minute they started in, the minute they
    stopped in)."""
    logs = [tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) for _ in range(2)]  # noqa: SIM115
    began = dt.datetime.now(dt.UTC).strftime("%H:%M")
    consumers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            texts = [Path(log.name).read_text(errors="replace") for log in logs]
            if all("consumer started" in t for t in texts) and any(
                "Executing estate.tasks.consumer_heartbeat" in t for t in texts
            ):
                break
            time.sleep(0.5)
        time.sleep(3)  # both schedulers have looked at their first minute by now
    finally:
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(timeout=30)
    ended = dt.datetime.now(dt.UTC).strftime("%H:%M")
    texts = [Path(log.name).read_text(errors="replace") for log in logs]
    for log in logs:
        os.unlink(log.name)
    return texts[0] + texts[1], began, ended


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_real_consumers_run_the_heartbeat_once_a_minute():
    """Two consumer processes on one Redis, started in the same minute: the minutely heartbeat
    (and any other task due then) is enqueued and run once, not once per consumer."""
    from huey.contrib.djhuey import HUEY

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "HUEY_IMMEDIATE": "0",
    }
    HUEY.immediate = False  # Redis storage, as the consumers use it
    HUEY.flush()
    _clear_claims(HUEY)
    try:
        for _attempt in range(2):
            second = dt.datetime.now(dt.UTC).second
            if second > 20:  # start early in a minute, so that both look at the same one
                time.sleep(61 - second)
            output, began, ended = _run_two_consumers(env)
            if began == ended:
                break
            HUEY.flush()
            _clear_claims(HUEY)
        else:
            pytest.fail("the consumers took over a minute to start twice")
    finally:
        HUEY.flush()
        _clear_claims(HUEY)
        HUEY.immediate = True
    # The consumer logs each line twice (its own format and plain): the formatted ones count.
    logged = [line for line in output.splitlines() if line.startswith("[")]

    def count(text: str) -> int:
        return sum(text in line for line in logged)

    assert count("consumer started") == 2, output
    assert count("Enqueueing periodic task estate.tasks.consumer_heartbeat") == 1, output
    assert count("Executing estate.tasks.consumer_heartbeat") == 1, output
    for task_class in _periodic_task_classes():
        assert count(f"Executing {_task_id(task_class)}:") <= 1, output


# Idempotency ----------------------------------------------------------------------------------
SEEDED_AT = "2026-10-31T22:00:00+08:00"
# A day the monthly work falls due: November's bills, October's return-visit sample and
# call list, October closed (after day 5) so its bulletin is drafted; tickets overdue since.
RUN_AT = "2026-11-06T09:30:00+08:00"
# Tables a run writes by design each time: its own record (the health page's history).
PER_RUN = {"estate.TaskRun"}
# Tables whose rows a run replaces whole: compared by content, not by their new ids (a
# snapshot's counted records are written afresh each time it is computed).
REPLACED = {"estate.KpiMember"}
SKIPPED_APPS = {"contenttypes", "sessions", "admin", "axes"}


def _state() -> dict[str, list[tuple]]:
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model._meta.label in PER_RUN:
            continue
        rows = model._base_manager.order_by("pk")
        if model._meta.label in REPLACED:
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            tables[model._meta.label] = sorted(rows.values_list(*fields), key=repr)
        else:
            tables[model._meta.label] = list(rows.values_list())
    return tables


@pytest.mark.django_db
@pytest.mark.parametrize("task_class", _periodic_task_classes(), ids=_task_id)
def test_each_periodic_task_run_twice_leaves_what_one_run_left(task_class):
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command(
            "seed_demo",
            *("--estates", "1", "--months", "2", "--seed", "5", "--units-per-estate", "30"),
            *("--now", SEEDED_AT),
            verbosity=0,
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
    with time_machine.travel(RUN_AT, tick=False):
        before = _state()
        task_class().execute()
        once, mails = _state(), len(mail.outbox)
        task_class().execute()
        twice = _state()
    changed = sorted(label for label in once if once[label] != before[label])
    differs = sorted(label for label in twice if twice[label] != once[label])
    assert differs == [], f"a second run changed {differs} (the first changed {changed})"
    assert len(mail.outbox) == mails, "a second run sent the e-mails again"
