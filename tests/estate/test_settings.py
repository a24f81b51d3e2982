"""Production settings pass Django's deployment checks; secrets come from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "HTTPS"}}
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
        SECRET_KEY="p" * 20 + "roduction-secret-key-with-enough-entropy-Z9#",
        ALLOWED_HOSTS="desk.example.com",
        SMS_BACKEND="estate.sms.WebhookSender",
        SMS_WEBHOOK_URL="https://sms-gateway.example.com/send",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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
