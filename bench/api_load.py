"""Load on gunicorn (4 workers) and PostgreSQL, measured at the server (QUALITY.md, issue 16).

Builds its own database (BENCH_DATABASE_URL, default ed_bench_api on the local server) with
bench/tickets.py's builder: ``--tickets`` tickets (default 1,000,000) over 100 estates, so the
list is read from a full table, not an almost empty one. Then starts gunicorn with rate limits
off and drives it with ``hey`` (Debian package ``hey``; without it, a Python client whose own
CPU time is printed too), one case after another:

- the one-row list, ``GET /api/v1/tickets?limit=1`` at 8 clients: the fixed cost of a request
  (target: at most 3 ms of server CPU per request, gunicorn's and PostgreSQL's together, i.e.
  >= 600 req/s on the 2 cores);
- the filtered ticket list, 50 a page, 20 clients (p95 < 50 ms);
- front-desk ticket creation, ``POST /api/v1/tickets`` with a bearer token, 20 clients
  (>= 150/s, p95 < 100 ms);
- the resident form, POST /r/<estate>/, 20 clients (>= 100/s, p95 < 150 ms).

Every figure is printed with the load average beside it, and with the server's CPU time per
request: the gunicorn workers' (read from /proc) and all PostgreSQL processes' (on a shared
machine that includes other databases' work). A figure taken with a load average above 1 is
not a measurement of the server; say so when quoting it.

    .venv/bin/python bench/api_load.py [--seconds 10] [--clients 20] [--tickets 1000000]
    .venv/bin/python bench/api_load.py --small      # 2,000 tickets, 3 s a case: a smoke run

Exits 1 on a failed request, and (not with --small) when a target is missed.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_api")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("BENCH_PORT", "8190"))
FORM_ESTATE = "LD01"  # the estate of the form and of created tickets (500 units)
LIST_ESTATE = "B000"  # one of the builder's estates: its share of the big table
TICKS = os.sysconf("SC_CLK_TCK")

# The builder (bench/tickets.py) makes the estates and tickets; then the bench's own estate,
# a front-desk clerk of both estates and a token.
BUILD = r"""
import json, os
from bench import tickets as builder

builder.ESTATES = int(os.environ["BENCH_ESTATES"])
builder._setup()
builder._estates()
if builder.TICKETS:
    builder._insert(1, builder.TICKETS)

from django.contrib.auth import get_user_model
from estate.models import Building, Estate, Membership, Unit
from estate.services import api_token_create
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket

e = Estate.objects.create(code="LD01", name="压测小区", service_phone="021-12345678")
b = Building.objects.create(estate=e, number="1")
Unit.objects.bulk_create(
    [Unit(estate=e, building=b, number=f"1-1-{i:04d}", floor_area=90) for i in range(1, 501)]
)
defaults_install(estate=e)
u = get_user_model().objects.create_user("bench-frontdesk", password="x")
Membership.objects.create(user=u, estate=e, role="front_desk")
Membership.objects.create(user=u, estate=Estate.objects.get(code="B000"), role="front_desk")
_, token = api_token_create(user=u)
cat = Category.objects.filter(estate=e, kind="repair").order_by("sort").first()
print(json.dumps({
    "token": token, "category": cat.pk, "category_code": cat.code,
    "tickets": Ticket.objects.count(),
    "list_estate_tickets": Ticket.objects.filter(estate__code="B000").count(),
}))
"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def env(**extra) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    base.update(
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        HTTPS="0",
        RATELIMIT_ENABLE="0",
        SECRET_KEY="bench-secret-key-" + "k" * 40,
        FIELD_ENCRYPTION_KEY="bench-only-field-key",
        ALLOWED_HOSTS="127.0.0.1",
        HUEY_NAME="estatedesk-bench",
        CACHE_KEY_PREFIX="estatedesk-bench",
        LOG_LEVEL="WARNING",
    )
    base.update(extra)
    return base


def manage(*args, capture=False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def build(tickets: int, estates: int) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [PY, "-c", BUILD],
        cwd=ROOT,
        env=env(
            BENCH_TICKETS_DATABASE_URL=DB_URL,
            BENCH_TICKETS=str(tickets),
            BENCH_ESTATES=str(estates),
        ),
        check=True,
        text=True,
        capture_output=True,
    )
    info = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"database: {info['tickets']} tickets, {info['list_estate_tickets']} of them in "
        f"{LIST_ESTATE} (built in {time.perf_counter() - started:.0f} s; {load()})"
    )
    return info


def settle() -> None:
    """The database as a deployment's is between requests, and an empty shared cache."""
    # What autovacuum has done to a table at steady state, after every write of the build
    # (the bench user, its estates' categories): without it the list's count, an index-only
    # scan, visits the heap for every row (measured: 7.0 ms instead of 2.1 ms at 1M tickets).
    manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('VACUUM (ANALYZE) repairs_ticket'); "
        "c.execute('SELECT relallvisible, relpages FROM pg_class "
        "WHERE relname = %s', ['repairs_ticket']); v, p = c.fetchone(); "
        "print(f'vacuum: {v} of {p} pages of repairs_ticket all-visible')",
    )
    # The ticket tallies folded, as the consumer's periodic task keeps them (a reused database
    # holds a row per ticket an earlier run created; this bench runs no consumer), and the
    # folded rows vacuumed, as autovacuum does a small table within a minute (their dead
    # versions cost the one-row list's count 0.3–0.7 ms a request on a reused database).
    manage(
        "shell",
        "-c",
        "from django.db import connection; from repairs import services; "
        "n = services.ticket_tallies_compact(); "
        "connection.cursor().execute('VACUUM (ANALYZE) repairs_tickettally'); "
        "print(f'tallies: {n} rows folded')",
    )
    # The shared cache may hold a previous run's answers for the same ids: start empty.
    manage("shell", "-c", "from django.core.cache import cache; cache.clear()")
    manage("collectstatic", "--noinput", "-v", "0")


# Server CPU -------------------------------------------------------------------------------------
def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command) of every process."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        out.append((int(entry.name), ppid, name))
    return out


class ServerCpu:
    """CPU seconds used by the gunicorn master and workers, and by PostgreSQL's processes."""

    def __init__(self, master: int):
        self.master = master

    def sample(self) -> tuple[float, float]:
        procs = _processes()
        web = [self.master] + [pid for pid, ppid, _ in procs if ppid == self.master]
        db = [pid for pid, _, name in procs if name.startswith("postgres")]
        return sum(map(_cpu_of, web)), sum(map(_cpu_of, db))


# Clients -----------------------------------------------------------------------------------------
HEY_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
HEY_PCT = re.compile(r"(\d+)% in ([\d.]+) secs")
HEY_STATUS = re.compile(r"\[(\d+)\]\s+(\d+) responses")
HEY_ERRORS = re.compile(r"Error distribution:\n((?:\s+\[\d+\].*\n?)+)")


def run_hey(seconds, clients, method, path, headers, body=None) -> dict:
    # Redirects not followed: the form's answer is its 302, as a browser's POST is measured.
    command = ["hey", "-z", f"{seconds}s", "-c", str(clients), "-m", method, "-disable-redirects"]
    for name, value in headers.items():
        if name.lower() == "content-type":
            command += ["-T", value]
        else:
            command += ["-H", f"{name}: {value}"]
    if body is not None:
        command += ["-d", body]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    out = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    pct = {int(p): float(s) * 1000 for p, s in HEY_PCT.findall(out)}
    statuses = {int(c): int(n) for c, n in HEY_STATUS.findall(out)}
    bad = sum(n for c, n in statuses.items() if c >= 400)
    errors = HEY_ERRORS.search(out)
    return {
        "rps": float(HEY_RATE.search(out).group(1)),
        "p50": pct.get(50, float("inf")),
        "p95": pct.get(95, float("inf")),
        "n": sum(statuses.values()),
        "errors": bad + (len(errors.group(1).strip().splitlines()) if errors else 0),
        "first_error": (errors.group(1).strip().splitlines()[0] if errors else None)
        or next((f"status {c}" for c in statuses if c >= 400), None),
        "client_cpu": None,
    }


def run_python(seconds, clients, method, path, headers, body=None) -> dict:
    """The fallback client: one keep-alive connection per thread; its own CPU is reported, as
    it competes with the server for the same cores."""
    latencies, errors, lock = [], [], threading.Lock()
    gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine, bad = [], []
        gate.wait()
        while time.monotonic() < stop_at[0]:
            t0 = time.monotonic()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            mine.append(time.monotonic() - t0)
            if response.status >= 400:
                bad.append(f"{response.status} {data[:200]!r}")
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    gate.wait()
    began = time.monotonic()
    stop_at[0] = began + seconds
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    n = len(latencies)
    return {
        "rps": n / elapsed,
        "p50": latencies[n // 2] * 1000 if n else float("inf"),
        "p95": latencies[max(0, int(n * 0.95) - 1)] * 1000 if n else float("inf"),
        "n": n,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "client_cpu": (time.process_time() - cpu0) / max(n, 1) * 1000,
    }


# Cases -------------------------------------------------------------------------------------------
def _form_session() -> tuple[dict, str, str]:
    """The resident form's cookies, CSRF token and photo upload token, from one GET of the
    form (a browser posts both tokens back)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", f"/r/{FORM_ESTATE}/")
    response = conn.getresponse()
    html = response.read()
    assert response.status == 200, response.status
    cookies = {}
    for value in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    upload = re.search(rb'name="upload_token" value="([^"]+)"', html).group(1).decode()
    return cookies, token, upload


def cases(info: dict, clients: int) -> list[dict]:
    auth = {"Authorization": f"Bearer {info['token']}"}
    page = urllib.parse.urlencode(
        {
            "estate": LIST_ESTATE,
            "kind": "repair",
            "reported_from": "2000-01-01",
            "reported_to": "2100-01-01",
            "limit": 50,
            "offset": 500,
        }
    )
    created = json.dumps(
        {
            "estate": FORM_ESTATE,
            "kind": "repair",
            "category": info["category_code"],
            "priority": "normal",
            "channel": "phone",
            "unit": None,
            "common_area": "1号楼大堂",
            "reporter_name": "前台登记",
            "reporter_phone": "13700000000",
            "description": "大堂灯不亮",
        }
    )
    cookies, csrf, upload = _form_session()
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "upload_token": upload,
            "kind": "repair",
            "category": info["category"],
            "unit_number": "1-1-0001",
            "name": "压测住户",
            "phone": "13900000000",
            "description": "卫生间漏水，请尽快处理",
            "website": "",
        }
    )
    form_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Referer": f"http://127.0.0.1:{PORT}/r/{FORM_ESTATE}/",
    }
    json_auth = {**auth, "Content-Type": "application/json"}
    return [
        # name, clients, method, path, headers, body, (min req/s, max p95 ms, max server ms/req)
        dict(name="ticket_list_one_row", clients=8, method="GET",
             path="/api/v1/tickets?limit=1", headers=auth, body=None,
             target=(600, None, 3.0)),
        dict(name="ticket_list_api", clients=clients, method="GET",
             path=f"/api/v1/tickets?{page}", headers=auth, body=None,
             target=(0, 50, None)),
        dict(name="ticket_create_api", clients=clients, method="POST",
             path="/api/v1/tickets", headers=json_auth, body=created,
             target=(150, 100, None)),
        dict(name="resident_form", clients=clients, method="POST",
             path=f"/r/{FORM_ESTATE}/", headers=form_headers, body=form,
             target=(100, 150, None)),
    ]  # fmt: skip


def measure(args, info, cpu: ServerCpu, client) -> bool:
    missed = False
    for case in cases(info, args.clients):
        if args.case and case["name"] not in args.case:
            continue
        run = dict(
            clients=case["clients"],
            method=case["method"],
            path=case["path"],
            headers=case["headers"],
            body=case["body"],
        )
        client(seconds=1, **run)  # warm the workers: imports, connections, caches
        web0, db0 = cpu.sample()
        result = client(seconds=args.seconds, **run)
        web1, db1 = cpu.sample()
        n = max(result["n"], 1)
        name, (min_rps, max_p95, max_cpu) = case["name"], case["target"]
        web_ms, db_ms = (web1 - web0) / n * 1000, (db1 - db0) / n * 1000
        note = f"{case['clients']} clients; {load()}"
        print(f"{name}_rate: {result['rps']:.1f} req/s (target >= {min_rps}; {note})")
        print(f"{name}_p50: {result['p50']:.1f} ms ({note})")
        print(
            f"{name}_p95: {result['p95']:.1f} ms"
            + (f" (target < {max_p95}; {note})" if max_p95 else f" ({note})")
        )
        print(
            f"{name}_server_cpu: {web_ms:.2f} ms gunicorn + {db_ms:.2f} ms PostgreSQL per request"
            + (f" (target <= {max_cpu} ms together; {note})" if max_cpu else f" ({note})")
        )
        if result["client_cpu"] is not None:
            print(f"{name}_client_cpu: {result['client_cpu']:.2f} ms per request ({note})")
        print(f"{name}_errors: {result['errors']} of {result['n']}")
        if result["errors"]:
            print(f"  first error: {result['first_error']}", file=sys.stderr)
            missed = True
        judged = (
            result["rps"] < min_rps
            or (max_p95 is not None and result["p95"] >= max_p95)
            or (max_cpu is not None and web_ms + db_ms > max_cpu)
        )
        if judged and not args.small:
            missed = True
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--small", action="store_true", help="2,000 tickets, 3 s a case")
    parser.add_argument("--client", choices=["hey", "python"], default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database built by an earlier run"
    )
    parser.add_argument("--case", action="append", help="only these cases (by name)")
    args = parser.parse_args()
    args.seconds = args.seconds or (3 if args.small else 10)
    tickets = args.tickets if args.tickets is not None else (2000 if args.small else 1_000_000)
    kind = args.client or ("hey" if shutil.which("hey") else "python")
    if kind == "hey" and not shutil.which("hey"):
        print("hey is not installed (apt-get install -y hey)", file=sys.stderr)
        return 2
    print(f"start: {load()}; client: {kind}")
    saved = Path(ROOT, "var", f"api_load-{urllib.parse.urlsplit(DB_URL).path.strip('/')}.json")
    if args.reuse and saved.exists():
        info = json.loads(saved.read_text())
        print(f"database: reused ({info['tickets']} tickets; {load()})")
    else:
        info = build(tickets, estates=5 if args.small else 100)
        saved.parent.mkdir(exist_ok=True)
        saved.write_text(json.dumps(info))
    settle()
    server = subprocess.Popen(
        [
            str(Path(PY).with_name("gunicorn")),
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
        for _ in range(150):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        client = run_hey if kind == "hey" else run_python
        missed = measure(args, info, ServerCpu(server.pid), client)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"end: {load()}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
