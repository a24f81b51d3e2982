"""Where a request's fixed cost goes: a few thousand in-process API requests with a bearer
token, straight into the WSGI handler gunicorn calls (no network, no client library), first
timed, then under cProfile.

For each case (the one-row list, a 50-row page of a filtered list, a ticket created over the
API, the resident's report form posted as bench/api_load.py posts it: CSRF cookie and token
and the photo upload token from one GET of the form, answered by its redirect) it prints the per-request mean, wall clock and this process's CPU time (the database
server's CPU is not in it), then the top entries of the profile by cumulative time. The load
average is printed with every figure: CPU time per request is a fair relative figure (before
and after a change, same run) even on a busy machine; wall times are not.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ed_bench_profile \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/profile_api.py
    .venv/bin/python bench/profile_api.py --small        # throwaway SQLite, a few hundred requests
    ... --reuse          # keep the database built by an earlier run (same URL)
    ... --case list1 --requests 5000 --top 40 --sort tottime
    # at 1,000,000 tickets: bench/api_load.py's database, as its clerk of two estates
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ed_bench_api .venv/bin/python \
        bench/profile_api.py --reuse --as-user bench-frontdesk --list-estate B000 --case list1

The database named by BENCH_DATABASE_URL (default ``ed_bench_profile``) is dropped and rebuilt
unless ``--reuse``; Redis (BENCH_REDIS_URL) is the shared cache, as in a deployment.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._db import recreate_database as _recreate_postgres  # noqa: E402

ESTATE = "PF01"
CASES = ("list1", "list50", "create", "form")
EXPECTED = {"create": 201, "form": 302}


def _args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="SQLite, few requests: a smoke run")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per case")
    parser.add_argument("--tickets", type=int, default=None, help="tickets in the table")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases")
    parser.add_argument("--top", type=int, default=25, help="profile entries printed")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    parser.add_argument(
        "--as-user", default=None, help="send the requests as this existing user (a new token)"
    )
    parser.add_argument(
        "--list-estate", default=None, help="the estate of the filtered 50-row page"
    )
    return parser.parse_args()


def _environment(args) -> None:
    """Production-like settings: DEBUG off (no query log), rate limits off (a bench client
    would hit them), PostgreSQL and Redis unless --small."""
    if args.small and not os.environ.get("BENCH_DATABASE_URL"):
        folder = Path(tempfile.mkdtemp(prefix="ed-profile-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
        os.environ["VAR_DIR"] = str(folder)
        os.environ.pop("REDIS_URL", None)
    else:
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_profile"
        )
        redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
        if redis:
            os.environ["REDIS_URL"] = redis
        else:
            os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "bench-only-field-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "estate.settings"
    os.environ["DEBUG"] = "0"
    os.environ["HTTPS"] = "0"
    os.environ["RATELIMIT_ENABLE"] = "0"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CACHE_KEY_PREFIX"] = "estatedesk-profile"
    os.environ["HUEY_NAME"] = "estatedesk-profile"
    os.environ["HUEY_IMMEDIATE"] = "1"
    os.environ.pop("TESTING", None)


def load() -> str:
    """``uptime``'s load average, printed beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def _build(args) -> dict:
    """An estate with the default categories, 500 units, a front-desk clerk with a token and
    ``--tickets`` tickets logged through the service (so every field is as the API writes it).
    """
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres") and not args.reuse:
        _recreate_postgres(url)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command

    from estate.models import Building, Estate, Membership, Unit
    from estate.services import api_token_create
    from repairs.configuration import defaults_install
    from repairs.models import Category, Ticket
    from repairs.services import ticket_create

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    cache.clear()
    estate = Estate.objects.filter(code=ESTATE).first()
    user = get_user_model().objects.filter(username="profile-frontdesk").first()
    if estate is None or user is None:
        estate = Estate.objects.create(code=ESTATE, name="剖析小区", service_phone="021-1234567")
        building = Building.objects.create(estate=estate, number="1")
        Unit.objects.bulk_create(
            [
                Unit(estate=estate, building=building, number=f"1-1-{i:04d}", floor_area=90)
                for i in range(1, 501)
            ]
        )
        defaults_install(estate=estate)
        user = get_user_model().objects.create_user("profile-frontdesk", password="x")
        Membership.objects.create(user=user, estate=estate, role="front_desk")
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()
    wanted = args.tickets if args.tickets is not None else (60 if args.small else 500)
    have = Ticket.objects.filter(estate=estate).count()
    for i in range(have, wanted):
        ticket_create(
            estate=estate,
            kind="repair",
            category=category,
            priority="normal",
            channel="phone",
            description="卫生间漏水",
            reporter_name="王伟",
            reporter_phone=f"1380000{i % 10000:04d}",
            unit_number=f"1-1-{i % 500 + 1:04d}",
            by=user,
        )
    if args.as_user:
        user = get_user_model().objects.get(username=args.as_user)
    _record, token = api_token_create(user=user, name="profile")
    return {
        "token": token,
        "category": category.code,
        "category_id": category.pk,
        "list_estate": args.list_estate or ESTATE,
    }


def _caller(token: str):
    """A function that sends one request to the WSGI application and returns its status."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    base = {
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SCRIPT_NAME": "",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split(" ", 1)[0])
        seen["headers"] = headers

    def call(
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        *,
        content_type: str = "application/json",
        headers: dict | None = None,
    ) -> int:
        """``headers``: WSGI keys (``HTTP_COOKIE``...); None for a header drops it."""
        environ = dict(base)
        environ.update(
            REQUEST_METHOD=method,
            PATH_INFO=path,
            QUERY_STRING=query,
            CONTENT_LENGTH=str(len(body)),
            CONTENT_TYPE=content_type if body else "",
        )
        for key, value in (headers or {}).items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        environ["wsgi.input"] = io.BytesIO(body)
        result = application(environ, start_response)
        chunks = []
        try:
            for chunk in result:
                chunks.append(chunk)
            seen["body"] = b"".join(chunks)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return seen["status"]

    call.seen = seen
    return call


def _form(call, info: dict):
    """The resident form's POST as bench/api_load.py sends it: the CSRF cookie and token of
    one GET of the form (no session, no bearer token), then the same fields every time."""
    import re
    from urllib.parse import urlencode

    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # the page's manifest
    path = f"/r/{ESTATE}/"
    anonymous = {"HTTP_AUTHORIZATION": None, "HTTP_ACCEPT": "text/html"}
    status = call("GET", path, headers=anonymous)
    assert status == 200, status
    cookies = []
    for name, value in call.seen["headers"]:
        if name.lower() == "set-cookie":
            cookies.append(value.split(";", 1)[0])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', call.seen["body"])
    upload = re.search(rb'name="upload_token" value="([^"]+)"', call.seen["body"])
    body = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "upload_token": upload.group(1).decode(),  # as a browser posts it back
            "kind": "repair",
            "category": info["category_id"],
            "unit_number": "1-1-0001",
            "name": "压测住户",
            "phone": "13900000000",
            "description": "卫生间漏水，请尽快处理",
            "website": "",
        }
    ).encode()
    headers = {
        **anonymous,
        "HTTP_COOKIE": "; ".join(cookies),
        "HTTP_REFERER": f"http://127.0.0.1:8000{path}",
    }

    def post(call) -> int:
        return call(
            "POST",
            path,
            body=body,
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    return post


def _cases(info: dict, call, names) -> dict:
    from urllib.parse import urlencode

    page = urlencode(
        {
            "estate": info["list_estate"],
            "kind": "repair",
            "reported_from": "2000-01-01",
            "reported_to": "2100-01-01",
            "limit": 50,
            "offset": 500 if info["list_estate"] != ESTATE else 0,
        }
    )
    counter = iter(range(10**9))

    def create_body() -> bytes:
        n = next(counter)
        return json.dumps(
            {
                "estate": ESTATE,
                "kind": "repair",
                "category": info["category"],
                "priority": "normal",
                "channel": "phone",
                "unit": None,
                "common_area": "1号楼大堂",
                "reporter_name": "前台登记",
                "reporter_phone": f"137{n % 100_000_000:08d}",
                "description": "大堂灯不亮",
            }
        ).encode()

    return {
        "list1": lambda call: call("GET", "/api/v1/tickets", "limit=1"),
        "list50": lambda call: call("GET", "/api/v1/tickets", page),
        "create": lambda call: call("POST", "/api/v1/tickets", body=create_body()),
        "form": _form(call, info) if "form" in names else None,
    }


def _time(one, call, n: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per request over ``n`` requests."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        one(call)
    return (
        (time.perf_counter() - wall) * 1000 / n,
        (time.process_time() - cpu) * 1000 / n,
    )


def main() -> int:
    args = _args()
    _environment(args)
    requests = args.requests or (200 if args.small else 3000)
    print(f"start: {load()}")
    info = _build(args)
    from django.db import connection

    from repairs.models import Ticket

    call = _caller(info["token"])
    names = args.case or CASES
    cases = _cases(info, call, names)
    print(
        f"database: {connection.vendor}, {Ticket.objects.count()} tickets; "
        f"cache: {'redis' if os.environ.get('REDIS_URL') else 'database'}"
    )
    failed = False
    for name in names:
        one = cases[name]
        status = one(call)
        expected = EXPECTED.get(name, 200)
        if status != expected:
            print(f"FAILED: {name} answered {status}, not {expected}", file=sys.stderr)
            failed = True
            continue
        for _ in range(min(50, requests)):  # warm: imports, connection, caches
            one(call)
        count = max(50, requests // 3) if name in EXPECTED else requests
        wall, cpu = _time(one, call, count)
        print(
            f"api_{name}_per_request: {wall:.2f} ms wall, {cpu:.2f} ms CPU in-process "
            f"(mean of {count}; {load()})"
        )
        if args.no_profile:
            continue
        # CPU time, not wall time: what the profile shows does not depend on the machine's
        # load or on how long the database took to answer.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(count):
            one(call)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(f"--- profile of {name}, {count} requests, by {args.sort} ---")
        print(_trim(out.getvalue()))
    print(f"end: {load()}")
    return 1 if failed else 0


def _trim(text: str) -> str:
    """The stats table without pstats' preamble, paths shortened to the package."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    site = "site-packages/"
    out = []
    for line in lines[start:]:
        if site in line:
            at = line.find(site)
            start = line.rfind(" ", 0, at) + 1
            line = line[:start] + line[at + len(site) :]
        out.append(line.replace(str(ROOT) + "/", ""))
    return "\n".join(out).rstrip()


if __name__ == "__main__":
    sys.exit(main())
