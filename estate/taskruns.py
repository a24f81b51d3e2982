"""Periodic work that recovers by itself.

Each periodic task runs under a lock kept in the shared cache with an expiry longer than the
task's longest run, released when the run ends (also on failure). A consumer that dies holding
it leaves a lock that expires on its own; and a consumer starting up clears at once the locks
of dead runs on its own machine (the owner's process is gone), so the next scheduled run
completes instead of finding the lock taken for good. Every run is written down (TaskRun),
which is what the health page and the rates' freshness warning read.

Huey's own ``lock_task`` has no expiry, which is why it is not used here."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import traceback
import uuid

from django.core.cache import cache
from django.utils import timezone

from estate.models import TaskRun

log = logging.getLogger("estatedesk.tasks")

HEARTBEAT_KEY = "consumer-heartbeat"
KEEP_RUNS = dt.timedelta(days=30)
_NAMES: set[str] = set()
_LOCK_PREFIX = "task-lock:"


def _owner() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(), "token": uuid.uuid4().hex}


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_acquire(name: str, *, ttl: int) -> dict | None:
    """The lock's owner record when taken, None when another live run holds it."""
    owner = _owner()
    key = _LOCK_PREFIX + name
    if cache.add(key, owner, ttl):
        return owner
    held = cache.get(key)
    if held and held.get("host") == owner["host"] and not _pid_alive(held.get("pid")):
        # A run of this machine died holding it: take it over.
        cache.delete(key)
        if cache.add(key, owner, ttl):
            return owner
    return None


def lock_release(name: str, owner: dict) -> None:
    key = _LOCK_PREFIX + name
    held = cache.get(key)
    if held and held.get("token") == owner["token"]:
        cache.delete(key)


def periodic_run(name: str, *, ttl: int):
    """Run the decorated function under the lock ``name`` (expiring after ``ttl`` seconds) and
    record the run. A run that finds the lock held by a live run does nothing."""

    _NAMES.add(name)

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            owner = lock_acquire(name, ttl=ttl)
            if owner is None:
                log.info("%s: still running elsewhere, skipped", name)
                return None
            run = TaskRun.objects.create(
                name=name, started_at=timezone.now(), host=owner["host"], pid=owner["pid"]
            )
            try:
                result = fn(*args, **kwargs)
            except Exception:
                run.outcome = TaskRun.Outcome.FAILED
                run.error = traceback.format_exc()[-4000:]
                raise
            else:
                run.outcome = TaskRun.Outcome.OK
                TaskRun.objects.filter(
                    name=name, started_at__lt=run.started_at - KEEP_RUNS
                ).delete()
                return result
            finally:
                run.finished_at = timezone.now()
                run.save(update_fields=["outcome", "error", "finished_at"])
                lock_release(name, owner)

        wrapper.task_name = name
        return wrapper

    return decorate


def dead_runs_clear() -> int:
    """Mark the runs of this machine whose process is gone as died and free their locks;
    called when a consumer starts. Returns how many runs were cleared."""
    host = socket.gethostname()
    cleared = 0
    for run in TaskRun.objects.filter(outcome=TaskRun.Outcome.RUNNING, host=host):
        if run.pid == os.getpid() or _pid_alive(run.pid):
            continue
        held = cache.get(_LOCK_PREFIX + run.name)
        if held and held.get("host") == host and held.get("pid") == run.pid:
            cache.delete(_LOCK_PREFIX + run.name)
        run.outcome = TaskRun.Outcome.DIED
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "finished_at"])
        cleared += 1
    return cleared


def heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), 3600)


def periodic_task_names() -> list[str]:
    """The names of every periodic task that runs under ``periodic_run`` (the apps' tasks
    modules are imported at start-up by Huey's Django integration)."""
    return sorted(_NAMES)


def latest_runs(names: list[str]) -> dict[str, TaskRun]:
    """The latest run of each task (one query per task name, a handful in all)."""
    out = {}
    for name in names:
        run = TaskRun.objects.filter(name=name).order_by("-started_at").first()
        if run is not None:
            out[name] = run
    return out
