"""estate/isotext.py: a moment's text as the API writes it, from Python and from PostgreSQL,
equal to what the schemas wrote (``local`` then Django's JSON encoder) for every moment: with
and without microseconds, at the turn of a day and of a year in the zone, across daylight
saving, in zones with half-hour, quarter-hour and historic offsets with seconds, and at the
ends of the calendar where a moment has no local time."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from estate.isotext import _SQL, local_text_json, moment_json
from estate.localtime import local

UTC = dt.UTC
ZONES = [
    "Asia/Shanghai",
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "America/Sao_Paulo",
]
MICROS = [0, 1, 999, 1000, 123456, 500000, 999999]


def _moments(zone: str) -> list:
    tz = ZoneInfo(zone)
    out = [None]
    for year in (1900, 1970, 2026, 2100):  # historic, epoch, today, past the zone's table
        for month, day, hour, minute, second in ((12, 31, 23, 59, 59), (1, 1, 0, 0, 0)):
            for micro in MICROS:
                wall = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
                out.append(wall.astimezone(UTC))
    for text in (  # daylight saving turns in UTC, a microsecond either side
        "2026-03-08T07:00:00",
        "2026-11-01T06:00:00",
        "2026-03-29T01:00:00",
        "2026-10-25T01:00:00",
        "2026-04-05T15:00:00",
        "2026-09-26T14:00:00",
    ):
        turn = dt.datetime.fromisoformat(text).replace(tzinfo=UTC)
        out += [turn - dt.timedelta(microseconds=1), turn, turn + dt.timedelta(microseconds=1)]
    out += [  # the calendar's ends, and either side of LocalText's short branch
        dt.datetime(1, 1, 1, tzinfo=UTC),
        dt.datetime(1, 1, 1, 15, 0, 0, 1, tzinfo=UTC),
        dt.datetime(1, 1, 2, tzinfo=UTC),
        dt.datetime(1, 1, 1, 23, 59, 59, 999999, tzinfo=UTC),
        dt.datetime(9999, 12, 30, tzinfo=UTC),
        dt.datetime(9999, 12, 30, 0, 0, 0, 1, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 10, 0, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    return out


def _encoded(moment, tz) -> str | None:
    """What the schemas wrote: the moment in the zone, then DjangoJSONEncoder."""
    return json.loads(json.dumps(local(moment, tz), cls=DjangoJSONEncoder))


@pytest.mark.parametrize("zone", ZONES)
def test_python_writes_what_the_encoder_wrote(zone):
    tz = ZoneInfo(zone)
    moments = _moments(zone)
    assert [moment_json(m, tz) for m in moments] == [_encoded(m, tz) for m in moments]


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
def test_postgresql_writes_what_the_encoder_wrote(zone):
    if connection.vendor != "postgresql":
        pytest.skip("LocalText is PostgreSQL's; SQLite's rows keep the Python path")
    tz = ZoneInfo(zone)
    moments = _moments(zone)
    rows = ", ".join(["(%s::int, %s::timestamptz, %s::text)"] * len(moments))
    params = [p for i, m in enumerate(moments) for p in (i, m, zone)]
    sql = (
        f"SELECT i, {_SQL.format(moment='m', zone='z')} FROM (VALUES {rows}) v(i, m, z) ORDER BY i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        texts = [text for _i, text in cursor.fetchall()]
    written = [local_text_json(text) for text in texts]
    expected = [_encoded(m, tz) for m in moments]
    assert written == expected
    assert any(text and text.endswith(("+00:00", "Z")) for text in expected)


def test_offsets_are_written_as_isoformat_writes_them():
    from estate.isotext import _offset

    assert [_offset(s) for s in ("0", "28800", "-18000", "20700", "-17762", "29143")] == [
        "Z",
        "+08:00",
        "-05:00",
        "+05:45",
        "-04:56:02",
        "+08:05:43",
    ]
