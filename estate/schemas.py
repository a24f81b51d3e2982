"""Schemas and helpers shared by every app's API."""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from estate.errors import DomainError

# An aware datetime shown in the estate's zone (the API's ISO strings carry the offset); the
# apps' schemas import it from here.
from estate.localtime import local as local
from estate.validators import FIRST_YEAR, LAST_YEAR, has_bad_characters


class Error(Schema):
    code: str = Field(examples=["invalid_transition"])
    message: str = Field(examples=["A closed ticket cannot be resolved."])
    field: str | None = Field(default=None, examples=["status"])


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=settings.API_PAGE_MAX, description="page size (max 200)")
    offset: int = Field(0, ge=0, le=10_000_000)


def paginate(qs: QuerySet, page: PageParams) -> dict[str, Any]:
    """``{"items": [...], "count": N}`` in two queries, whatever the table size."""
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": qs.count()}


ERRORS_4XX = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}


# Types of the values a client sends (input schemas and query parameters). Outputs keep the
# plain types: a stored value is shown as it is, never refused on the way out.


def _text_only(kind: str):
    """Dates and moments come as ISO text: a number (``0``, a Unix time) is refused."""

    def check(value):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            raise ValueError(f"give the {kind} as text, e.g. {_EXAMPLES[kind]}")
        return value

    return check


def _in_years(value):
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


_EXAMPLES = {"date": "2026-10-03", "date-time": "2026-10-03T09:30:00+08:00", "time": "08:30"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
_CLOCK_SCHEMA = {
    "type": "string",
    "pattern": _CLOCK.pattern,
    "description": "local time of day, HH:MM or HH:MM:SS, no offset",
    "examples": ["08:30"],
}


def _clock_text(value):
    """``08:30`` or ``08:30:00`` in the estate's zone: no offset, no fraction, nothing else."""
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError("give a time of day as HH:MM (24-hour, no offset), e.g. 08:30")
    return dt.time.fromisoformat(value)


#: An estate's code as a client sends it (``HY01``): never empty, so ``estate=""`` is documented
#: as the 422 it is rather than as a valid value.
EstateCode = Annotated[str, Field(min_length=1, max_length=32)]

#: A date between 2000 and 2100, written YYYY-MM-DD.
Day = Annotated[dt.date, BeforeValidator(_text_only("date")), AfterValidator(_in_years)]


def _since_1900(value):
    if value is not None and not 1900 <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years 1900 and {LAST_YEAR}")
    return value


#: A date of a person's history (moved in, moved out): 1900 to 2100.
HistoricDay = Annotated[dt.date, BeforeValidator(_text_only("date")), AfterValidator(_since_1900)]
#: A moment between 2000 and 2100, ISO 8601 (with its offset; without, the estate's zone).
Moment = Annotated[dt.datetime, BeforeValidator(_text_only("date-time")), AfterValidator(_in_years)]
#: A time of day, in and out: ``08:30`` (documented as a pattern, not the RFC 3339 ``time``
#: format, which requires an offset a working day does not have).
TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_clock_text),
    PlainSerializer(lambda t: t.isoformat(timespec="seconds"), return_type=str),
    WithJsonSchema(_CLOCK_SCHEMA),
]
#: An amount of money sent by a client: at most 12 digits before the point and 2 after, so
#: ``1e999999999`` or a 30-digit number is a 422, not an arithmetic error.
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]


def _first_bad(data, path=()):
    """The path of the first key or string holding a NUL byte or a lone surrogate."""
    if isinstance(data, str):
        return path if has_bad_characters(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and has_bad_characters(key):
                return (*path, key)
            found = _first_bad(value, (*path, key))
            if found is not None:
                return found
    if isinstance(data, list):
        for n, value in enumerate(data):
            found = _first_bad(value, (*path, n))
            if found is not None:
                return found
    return None


def _refuse(path) -> DomainError:
    field = ".".join(str(p) for p in path) or None
    return DomainError(
        "invalid", "text contains a NUL byte or a lone surrogate, which cannot be stored", field
    )


class StrictParser(Parser):
    """The API's JSON and query parser: text with a NUL byte or a lone surrogate (neither can
    be stored in PostgreSQL) is a 422 naming the field, for every string of every operation."""

    def parse_body(self, request):
        data = super().parse_body(request)
        path = _first_bad(data)
        if path is not None:
            raise _refuse(path)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        path = _first_bad(result)
        if path is not None:
            raise _refuse(path)
        return result
