"""schemathesis against /api/v1/openapi.json: no operation answers 5xx, whatever it is sent,
and every response matches the documented schema."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from estate.services import api_token_create
from estate.wsgi import application
from tests.factories import make_estate, make_staff, make_unit

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly would close the test's database connection at the end of
    each request (request_finished); Django's own test client disconnects that too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(db, keep_connection):
    estate = make_estate(code="HY01")
    make_unit(estate, number="1-1-101")
    _record, token = api_token_create(user=make_staff(estate, "admin"))
    return {"Authorization": f"Bearer {token}"}


# `make test` runs a fixed, repeatable sample (derandomize: the same examples every run);
# `make fuzz` runs many more (FUZZ_EXAMPLES=500). Health checks stay on, except the one about a
# function-scoped fixture: the token and estate are made once per operation on purpose, and
# every example only reads them or writes rows the test's transaction rolls back.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=FUZZ_EXAMPLES <= 100,
    database=None,
)
def test_api_never_answers_5xx_and_matches_its_schema(case, auth_header):
    case.call_and_validate(
        headers=auth_header,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


# Hostile values, for every parameter and every top-level body field of every operation, by
# the field's documented type: NUL bytes and lone surrogates in text, amounts with huge
# exponents or 30 digits, integers past 64 bits, dates at the edges of the calendar or given as
# numbers, moments with out-of-range offsets, times of day with offsets. Each is sent in an
# otherwise generated request (one per operation, repeatable): the answer is a documented 4xx
# in the API's error shape or a success, never a 5xx and never off the schema.
# (Lone surrogates in bodies: schemathesis's transport cannot encode them; tests/estate/
# test_bad_input.py sends them escaped in JSON.)
HOSTILE_TEXT = ["a\x00b", "漏水\x00"]
HOSTILE_QUERY_TEXT = ["a\x00b"]  # a lone surrogate cannot be written in a URL
HOSTILE = {
    "date": ["0001-01-01", "9999-12-31", 0, "2026-02-30"],
    "date-time": [
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-12:00",
        "2026-10-03T09:00:00+25:00",
        "2026-10-03T09:00:00+23:59",
        0,
    ],
    "time": ["08:30+08:00", "08:30+25:00", "24:00", "08:30:00.000001"],
    "decimal": ["1e999999999", "123456789012345678901234567890", "-1E-999999999", "NaN"],
    "integer": [10**30, -(10**30)],
}


def _resolve(node: dict, doc: dict) -> dict:
    while "$ref" in node:
        target = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _kind(node: dict, doc: dict) -> str | None:
    """The hostile family of a documented field (None: nothing to try, e.g. a boolean)."""
    node = _resolve(node, doc)
    for option in node.get("anyOf", []):
        kind = _kind(option, doc)
        if kind is not None:
            return kind
    if node.get("enum") is not None or "const" in node:
        return "text"
    fmt, typ = node.get("format"), node.get("type")
    if fmt in ("date", "date-time"):
        return fmt
    if "HH:MM" in node.get("description", "") or str(node.get("pattern", "")).startswith("^([01]"):
        return "time"
    if typ == "number" or fmt == "decimal":
        return "decimal"
    if typ == "integer":
        return "integer"
    if typ == "string":
        return "text"
    return None


def _hostile_variants(case, doc):
    """(where, name, value) for each hostile value of each field of the operation."""
    operation = doc["paths"].get(case.operation.path, {}).get(case.method.lower())
    if operation is None:
        return
    for param in operation.get("parameters", []):
        if param["in"] != "query":
            continue
        kind = _kind(param.get("schema", {}), doc)
        values = HOSTILE_QUERY_TEXT if kind == "text" else HOSTILE.get(kind, [])
        for value in values:
            yield "query", param["name"], value
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body and isinstance(case.body, dict):
        schema = _resolve(body["schema"], doc)
        for name, prop in schema.get("properties", {}).items():
            kind = _kind(prop, doc)
            for value in HOSTILE_TEXT if kind == "text" else HOSTILE.get(kind, []):
                yield "body", name, value


# Its own copy of the schema, generating one request per operation (no coverage or examples
# phase: the hostile values below are the coverage), so the sweep stays a few seconds a run.
hostile_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
hostile_schema.config.phases.coverage.enabled = False
hostile_schema.config.phases.examples.enabled = False


@pytest.fixture
def openapi_doc(keep_connection):
    from estate.api import api

    return api.get_openapi_schema()


@pytest.mark.django_db
@hostile_schema.parametrize()
@settings(
    max_examples=1,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_hostile_values_in_every_field_are_a_documented_4xx(case, auth_header, openapi_doc):
    query, body = case.query, case.body
    for where, name, value in _hostile_variants(case, openapi_doc):
        if where == "query":
            case.query = {**(query or {}), name: value}
        else:
            case.body = {**body, name: value}
        try:
            response = case.call(headers=auth_header)
            assert response.status_code < 500, (case.method, case.operation.path, name, value)
            if response.status_code >= 400:
                error = response.json()
                assert set(error) >= {"code", "message"}, (case.operation.path, name, value)
            case.validate_response(
                response, checks=[status_code_conformance, response_schema_conformance]
            )
        finally:
            case.query, case.body = query, body
