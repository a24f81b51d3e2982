"""Test environment, loaded by pytest (``-p estate.testing``) before Django reads settings."""

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_n = int(_worker.removeprefix("gw") or 0) if _worker.startswith("gw") else 0

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ["DEBUG"] = "0"
os.environ["HTTPS"] = "0"
os.environ["TESTING"] = "1"
os.environ["HUEY_IMMEDIATE"] = "1"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix=f"estatedesk-media-{_worker}-")
os.environ["CACHE_KEY_PREFIX"] = f"estatedesk-test-{_worker}"
os.environ["HUEY_NAME"] = f"estatedesk-test-{_worker}"
if os.environ.get("REDIS_URL"):
    # One Redis database per xdist worker (offset by the database the URL names), so flushing
    # it in one test never touches another worker's, nor another checkout's run.
    url = os.environ["REDIS_URL"].rstrip("/")
    root, _, last = url.rpartition("/")
    offset = int(last) if last.isdigit() and root.count("/") >= 2 else 0
    root = root if last.isdigit() and root.count("/") >= 2 else url
    os.environ["REDIS_URL"] = f"{root}/{offset + 1 + _n}"
