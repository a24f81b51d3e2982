"""Is the system well? ``/healthz`` for the load balancer (database and cache reachable), and
a page for company admins: the last run and outcome of each periodic task, the queue length
and the consumer's heartbeat."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from estate import scoping, taskruns
from estate.pages import forbidden

HEARTBEAT_LATE = dt.timedelta(minutes=5)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure is "down"
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "1", 10)
        return cache.get("healthz") == "1"
    except Exception:  # noqa: BLE001
        return False


@never_cache
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise (JSON says which)."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    body = {name: ("ok" if ok else "down") for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


def _heartbeat() -> dt.datetime | None:
    try:
        value = cache.get(taskruns.HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return None
    return dt.datetime.fromisoformat(value) if value else None


def _queue_length() -> int | None:
    from huey.contrib.djhuey import HUEY

    try:
        return HUEY.pending_count()
    except Exception:  # noqa: BLE001
        return None


@login_required
@never_cache
def health_page(request):
    if not scoping.is_company_admin(request.user):
        return forbidden(request)
    now = timezone.now()
    names = taskruns.periodic_task_names()
    runs = taskruns.latest_runs(names)
    beat = _heartbeat()
    context = {
        "tasks": [{"name": name, "run": runs.get(name)} for name in names],
        "heartbeat": beat,
        "heartbeat_late": beat is None or now - beat > HEARTBEAT_LATE,
        "queue_length": _queue_length(),
        "database_ok": _database_ok(),
        "cache_ok": _cache_ok(),
    }
    return render(request, "estate/health.html", context)
