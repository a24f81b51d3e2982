"""The statements a request sends to the application's own tables, as (verb, table) pairs in
order: what a query-count pin on a write path compares. Left out, so that the pin does not
depend on the cache backend, the login method or what another test left in a shared cache:
cache, session, auth and savepoint statements, and the calendar's rows (read once per version
and kept: tests/repairs/test_calendar_cache.py pins that)."""

import re

_NOISE = (
    "estatedesk_cache",
    "django_session",
    "auth_",
    "estate_apitoken",
    "repairs_workinghours",
    "repairs_calendarday",
)
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"([a-z0-9_]+)"', re.I)


def statements(captured) -> list[tuple[str, str]]:
    out = []
    for query in captured:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper() if sql else ""
        if verb not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            continue
        found = _TABLE.search(sql)
        table = found.group(1) if found else ""
        if not table or table.startswith(_NOISE):
            continue
        out.append((verb, table))
    return out
