"""Production settings pass Django's deployment checks; secrets come from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


SECRET = "p" * 20 + "roduction-secret-key-with-enough-entropy-Z9#"
SKIP = {
    "DEBUG",
    "SECRET_KEY",
    "HTTPS",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
}


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in SKIP}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=SECRET,
        FIELD_ENCRYPTION_KEY="field-key-of-its-own-" + "k" * 30,
        ALLOWED_HOSTS="desk.example.com",
        SMS_BACKEND="estate.sms.WebhookSender",
        SMS_WEBHOOK_URL="https://sms-gateway.example.com/send",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_requires_its_own_field_encryption_key():
    result = _manage(
        "check", "--deploy", DEBUG="0", SECRET_KEY=SECRET, ALLOWED_HOSTS="desk.example.com"
    )
    assert result.returncode != 0
    assert "estate.E001" in result.stderr + result.stdout
    assert "FIELD_ENCRYPTION_KEY is not set" in result.stderr + result.stdout

    same = _manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY=SECRET,
        FIELD_ENCRYPTION_KEY=SECRET,
        ALLOWED_HOSTS="desk.example.com",
    )
    assert same.returncode != 0
    assert "estate.E002" in same.stderr + same.stdout


def test_check_deploy_warns_about_rotation_without_a_blind_index_key():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=SECRET,
        FIELD_ENCRYPTION_KEYS="new-field-key-" + "n" * 30 + ",old-field-key-" + "o" * 30,
        ALLOWED_HOSTS="desk.example.com",
    )
    assert result.returncode != 0
    assert "estate.W001" in result.stderr + result.stdout


def test_secret_key_is_required_without_debug():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_refuses_the_logging_sms_backend():
    """The logging sender writes residents' one-time codes to the server log."""
    result = _manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY="p" * 20 + "roduction-secret-key-with-enough-entropy-Z9#",
        ALLOWED_HOSTS="desk.example.com",
        SMS_BACKEND="estate.sms.LogSender",
    )
    assert result.returncode != 0
    assert "estate.E010" in result.stdout + result.stderr


# A development machine's .env (written by `make run`) --------------------------------------------
DEV_SKIP = SKIP | {"TESTING", "DATABASE_URL", "REDIS_URL", "VAR_DIR", "ENV_FILE", "ALLOWED_HOSTS"}


def _manage_dev(tmp_path, *args, **env):
    """manage.py as a developer types it: no DEBUG, no secret, not under tests."""
    base = {k: v for k, v in os.environ.items() if k not in DEV_SKIP}
    base.update({"VAR_DIR": str(tmp_path / "var")}, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _make_env_file(tmp_path) -> Path:
    """The .env exactly as `make run` writes it."""
    subprocess.run(
        ["make", "-s", "-C", str(tmp_path), "-f", str(ROOT / "Makefile"), ".env"],
        check=True,
        timeout=60,
    )
    return tmp_path / ".env"


def test_make_run_writes_a_development_env_file_that_git_ignores(tmp_path):
    env_file = _make_env_file(tmp_path)
    assert "DEBUG=1" in env_file.read_text().splitlines()
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_documented_commands_run_with_the_env_file_and_no_debug_in_the_environment(tmp_path):
    env_file = _make_env_file(tmp_path)
    migrated = _manage_dev(tmp_path, "migrate", "--noinput", "-v", "0", ENV_FILE=str(env_file))
    assert migrated.returncode == 0, migrated.stderr
    kpis = _manage_dev(tmp_path, "compute_kpis", ENV_FILE=str(env_file))
    assert kpis.returncode == 0, kpis.stderr
    token = _manage_dev(tmp_path, "create_token", "nobody-here", ENV_FILE=str(env_file))
    # The command itself answers (no such user), not the settings.
    assert "ImproperlyConfigured" not in token.stderr and "SECRET_KEY" not in token.stderr
    assert "nobody-here" in token.stderr + token.stdout


def test_without_an_env_file_the_settings_fail_closed(tmp_path):
    result = _manage_dev(tmp_path, "check", ENV_FILE=str(tmp_path / "missing.env"))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_real_environment_wins_over_the_env_file(tmp_path):
    env_file = _make_env_file(tmp_path)
    result = _manage_dev(tmp_path, "check", ENV_FILE=str(env_file), DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_refuses_settings_read_from_an_env_file(tmp_path):
    env_file = _make_env_file(tmp_path)
    result = _manage_dev(tmp_path, "check", "--deploy", ENV_FILE=str(env_file))
    assert result.returncode != 0
    assert "estate.E020" in result.stdout + result.stderr
