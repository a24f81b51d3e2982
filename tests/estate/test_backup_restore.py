"""ops/backup_restore_check.sh: a pg_dump restores into a new database with every table's rows;
a restored database that lost a row is caught."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from estate.models import Unit
from tests.factories import make_estate, make_unit

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ops" / "backup_restore_check.sh"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore"),
]


def _url(name: str | None = None) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{name or s['NAME']}"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_a_dump_restores_with_every_row_and_a_lost_row_is_caught():
    estate = make_estate(code="BK01")
    for _ in range(3):
        make_unit(estate)
    source = _url()
    restored = f"{connection.settings_dict['NAME']}_restore_check"

    done = _run(source, "--keep")
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "identical:" in done.stdout
        assert f"restore: {restored}" in done.stdout

        # The restored copy loses a unit: the comparison names the table and fails.
        subprocess.run(
            [
                "psql",
                _url(restored),
                "-XAq",
                "-c",
                f"DELETE FROM {Unit._meta.db_table} "
                f"WHERE id = (SELECT max(id) FROM {Unit._meta.db_table})",
            ],
            check=True,
        )
        compared = _run("--compare", source, _url(restored))
        assert compared.returncode == 1
        assert f"public.{Unit._meta.db_table}\t3" in compared.stderr
        assert f"public.{Unit._meta.db_table}\t2" in compared.stderr
    finally:
        subprocess.run(
            [
                "psql",
                _url("postgres"),
                "-XAq",
                "-c",
                f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)',
            ],
            check=False,
        )
