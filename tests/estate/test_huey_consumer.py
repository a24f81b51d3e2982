"""One integration test with a real Huey consumer process on Redis and the real database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from estate.models import KpiSnapshot
from tests.factories import make_estate, make_unit

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_consumer_runs_a_task_and_writes_snapshots():
    from huey.contrib.djhuey import HUEY

    from estate import kpi, tasks

    estate = make_estate(code="HQ01")
    make_unit(estate)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "HUEY_IMMEDIATE": "0",
    }
    HUEY.immediate = False  # enqueue to Redis for real, as the web app does
    try:
        HUEY.flush()
        result = tasks.compute_kpis("HQ01", "2026-10")
        consumer = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            value = result.get(blocking=True, timeout=60)
        finally:
            consumer.terminate()
            output = consumer.communicate(timeout=30)[0].decode(errors="replace")
        HUEY.flush()
    finally:
        HUEY.immediate = True
    assert value == 1, output
    assert "Executing estate.tasks.compute_kpis" in output
    stored = KpiSnapshot.objects.filter(estate=estate, period="2026-10")
    assert stored.count() == len(kpi.metrics())
