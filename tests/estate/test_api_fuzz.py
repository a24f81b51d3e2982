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
