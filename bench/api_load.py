"""Load benchmark on gunicorn (4 workers) and PostgreSQL, as QUALITY.md measures it.

Builds its own database (BENCH_DATABASE_URL, default ed_bench_api on the local server), starts
gunicorn with rate limiting off, then drives it from 20 client threads for a fixed time each:

- the resident form: GET the form once per client for its CSRF token, then POST submissions
  (target >= 100/s, p95 < 150 ms);
- front-desk ticket creation, POST /api/v1/tickets with a bearer token (>= 150/s, p95 < 100 ms);
- the filtered ticket list, GET /api/v1/tickets 50 a page (p95 < 50 ms).

Prints one `name: value unit` line per figure and exits 1 when a target is missed.
Usage: .venv/bin/python bench/api_load.py [--seconds 10] [--clients 20]
"""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_api")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("BENCH_PORT", "8190"))

SETUP = r"""
from repairs.configuration import defaults_install
from repairs.models import Category
from estate.models import Estate, Building, Unit, Membership
from estate.services import api_token_create
from django.contrib.auth import get_user_model
import json
e = Estate.objects.create(code="LD01", name="压测小区", service_phone="021-12345678")
b = Building.objects.create(estate=e, number="1")
Unit.objects.bulk_create([Unit(estate=e, building=b, number=f"1-1-{i:04d}", floor_area=90) for i in range(1, 501)])
defaults_install(estate=e)
u = get_user_model().objects.create_user("bench-frontdesk", password="x")
Membership.objects.create(user=u, estate=e, role="front_desk")
_, token = api_token_create(user=u)
cat = Category.objects.filter(estate=e, kind="repair").order_by("sort").first()
print(json.dumps({"token": token, "category": cat.pk, "category_code": cat.code}))
"""


def env() -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    base.update(
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        HTTPS="0",
        RATELIMIT_ENABLE="0",
        SECRET_KEY="bench-secret-key-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        HUEY_NAME="estatedesk-bench",
        LOG_LEVEL="WARNING",
    )
    return base


def recreate_database() -> None:
    import psycopg2

    parsed = urllib.parse.urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def manage(*args, capture=False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env(),
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data


def run_load(name, clients, seconds, prepare, one):
    """Each thread prepares its client once, then repeats ``one`` until the time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(n):
        client = Client()
        state = prepare(client, n)
        start_gate.wait()
        i = 0
        mine, bad = [], []
        while time.monotonic() < stop_at[0]:
            t0 = time.monotonic()
            status, body = one(client, state, n, i)
            mine.append(time.monotonic() - t0)
            if status >= 400:
                bad.append(f"{status} {body[:200]!r}")
            i += 1
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.monotonic()
    stop_at[0] = began + seconds
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else float("inf")
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("inf")
    return {
        "name": name,
        "rps": len(latencies) / elapsed,
        "p50": p50,
        "p95": p95,
        "n": len(latencies),
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()

    recreate_database()
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    info = json.loads(manage("shell", "-c", SETUP, capture=True).strip().splitlines()[-1])
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "estate.wsgi",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        return measure(args, info)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def measure(args, info) -> int:
    csrf_re = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

    def form_prepare(client, n):
        status, html = client.request("GET", "/r/LD01/")
        assert status == 200, status
        return csrf_re.search(html).group(1).decode()

    def form_submit(client, token, n, i):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "kind": "repair",
                "category": info["category"],
                "unit_number": f"1-1-{(n * 37 + i) % 500 + 1:04d}",
                "name": "压测住户",
                "phone": f"139{n:02d}{i % 1000000:06d}",
                "description": "卫生间漏水，请尽快处理",
                "website": "",
            }
        )
        status, data = client.request(
            "POST",
            "/r/LD01/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{PORT}/r/LD01/",
            },
        )
        return (200 if status == 302 else status or 599), data

    auth = {"Authorization": f"Bearer {info['token']}", "Content-Type": "application/json"}

    def api_create(client, state, n, i):
        body = json.dumps(
            {
                "estate": "LD01",
                "kind": "repair",
                "category": info["category_code"],
                "priority": "normal",
                "channel": "phone",
                "unit": None,
                "common_area": f"{n}号楼大堂",
                "reporter_name": "前台登记",
                "reporter_phone": f"137{n:02d}{i % 1000000:06d}",
                "description": "大堂灯不亮",
            }
        )
        status, data = client.request("POST", "/api/v1/tickets", body, auth)
        return (200 if status == 201 else status), data

    def api_list(client, state, n, i):
        query = urllib.parse.urlencode(
            {
                "estate": "LD01",
                "kind": "repair",
                "reported_from": "2000-01-01",
                "reported_to": "2100-01-01",
                "limit": 50,
                "offset": (i % 20) * 50,
            }
        )
        return client.request("GET", f"/api/v1/tickets?{query}", None, auth)

    results = [
        run_load("resident_form", args.clients, args.seconds, form_prepare, form_submit),
        run_load("ticket_create_api", args.clients, args.seconds, lambda c, n: None, api_create),
        run_load("ticket_list_api", args.clients, args.seconds, lambda c, n: None, api_list),
    ]
    targets = {
        "resident_form": (100, 150),
        "ticket_create_api": (150, 100),
        "ticket_list_api": (0, 50),
    }
    missed = False
    for r in results:
        min_rps, max_p95 = targets[r["name"]]
        print(f"{r['name']}_rate: {r['rps']:.1f} req/s (target >= {min_rps})")
        print(f"{r['name']}_p50: {r['p50']:.1f} ms")
        print(f"{r['name']}_p95: {r['p95']:.1f} ms (target < {max_p95})")
        print(f"{r['name']}_errors: {len(r['errors'])} of {r['n']}")
        if r["errors"]:
            print(f"  first error: {r['errors'][0]}", file=sys.stderr)
        if r["rps"] < min_rps or r["p95"] >= max_p95 or r["errors"]:
            missed = True
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
