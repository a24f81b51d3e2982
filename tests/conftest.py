import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (make test-pg)")
    skip_redis = pytest.mark.skip(reason="needs Redis (REDIS_URL; make test-pg)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _clean_cache(db):
    """Rate limits and lock-outs live in the cache: every test starts with an empty one."""
    cache.clear()
    yield


@pytest.fixture
def estate_a(db):
    from tests.factories import make_estate

    return make_estate(code="HY01", name="华苑")


@pytest.fixture
def estate_b(db):
    from tests.factories import make_estate

    return make_estate(code="HY02", name="翠湖")


@pytest.fixture
def manager_a(estate_a):
    from tests.factories import make_staff

    return make_staff(estate_a, "manager")


@pytest.fixture
def api_client(client):
    return client


def pytest_runtest_logreport(report):
    """With CI_SKIP_FILE set (.ci/run's PostgreSQL pass), write the id of every skipped test
    marked postgres or browser, so CI fails when they did not really run."""
    path = os.environ.get("CI_SKIP_FILE")
    if path and report.skipped and {"postgres", "browser"} & set(report.keywords):
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{report.nodeid}\n")
