"""What the benches share: their own PostgreSQL database, dropped and created empty, and
Django set up on it (settings from the environment, the schema migrated).

Each bench names its database in an environment variable of its own (see its header), so two
benches, or two people, never drop each other's data."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recreate_database(url: str) -> None:
    """Drop the database named in ``url`` (closing its connections) and create it empty."""
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def setup_django(*, migrate: bool = True, keep_redis: bool = False, **env: str) -> None:
    """Django on the project's settings with ``env`` added to the environment (REDIS_URL is
    dropped unless ``keep_redis``: the cache is then the database's), the schema migrated."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    if not keep_redis:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
