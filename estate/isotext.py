"""A moment as the API writes it: ISO 8601 in the estate's zone, to the millisecond, "Z" for
UTC (``estate.localtime.local`` then Django's JSON encoder), written in one step, either here
from a datetime or by PostgreSQL in the statement that reads the row (:class:`LocalText`, read
back by :func:`local_text_json`): a list page holds ~450 moments, and converting and writing
them was a third of its Python time. Both give the same text for every moment
(tests/estate/test_isotext.py, tests/repairs/test_ticket_list_page.py)."""

import datetime as dt

from django.db.models import F, Func, TextField


def moment_json(moment: dt.datetime | None, tz) -> str | None:
    """``estate.localtime.local`` then ``DjangoJSONEncoder``'s text of a datetime (a moment
    with no local time stays as it is, as ``local`` leaves it)."""
    if moment is None:
        return None
    try:  # noqa: SIM105 - contextlib.suppress is three calls more, ~450 times a page
        moment = moment.astimezone(tz)
    except OverflowError:
        pass
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


# The local time to the microsecond in a fixed width (26 characters), then the offset from UTC
# in whole seconds: ``2026-10-31T09:58:30.914489`` ``28800``. to_char's pattern does not depend
# on the session's DateStyle, nor the offset's number on its IntervalStyle. A moment whose local
# time Python cannot hold (past 9999 or before year 1 in the zone) is written in UTC, offset 0,
# as ``local`` leaves it; only moments within a day of those ends take that longer branch.
_PATTERN = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'"
_LOCAL = "({moment} AT TIME ZONE {zone})"
_TEXT = (
    f"to_char({_LOCAL}, {_PATTERN}) "
    f"|| extract(epoch FROM {_LOCAL} - ({{moment}} AT TIME ZONE 'UTC'))::integer::text"
)
_SQL = (
    "CASE WHEN {moment} IS NULL THEN NULL "
    "WHEN {moment} BETWEEN '0001-01-02 00:00:00+00' AND '9999-12-30 00:00:00+00' "
    f"THEN {_TEXT} "
    f"WHEN {_LOCAL} >= '10000-01-01' OR {_LOCAL} < '0001-01-01' "
    f"THEN to_char({{moment}} AT TIME ZONE 'UTC', {_PATTERN}) || '0' "
    f"ELSE {_TEXT} END"
)


class LocalText(Func):
    """PostgreSQL: a datetime column as local text in the zone named by another column (the
    estate's), with its offset, for :func:`local_text_json`."""

    output_field = TextField()
    arity = 2

    def __init__(self, moment: str, zone: str):
        super().__init__(F(moment), F(zone))

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError("LocalText is written by PostgreSQL only")

    def as_postgresql(self, compiler, connection, **extra):
        moment, moment_params = compiler.compile(self.source_expressions[0])
        zone, zone_params = compiler.compile(self.source_expressions[1])
        if moment_params or zone_params:  # each is repeated in the SQL: columns only
            raise ValueError("LocalText takes two columns")
        return _SQL.format(moment=moment, zone=zone), []


_OFFSETS: dict[str, str] = {}


def _offset(seconds: str) -> str:
    value = int(seconds)
    if not value:
        return "Z"
    hours, rest = divmod(abs(value), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{'-' if value < 0 else '+'}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


def local_text_json(text: str | None) -> str | None:
    """:func:`moment_json`'s text from :class:`LocalText`'s."""
    if text is None:
        return None
    seconds = text[26:]
    tail = _OFFSETS.get(seconds) or _OFFSETS.setdefault(seconds, _offset(seconds))
    if text[20:26] == "000000":
        return text[:19] + tail
    return text[:23] + tail
