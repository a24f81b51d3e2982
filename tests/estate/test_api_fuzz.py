"""schemathesis against /api/v1/openapi.json: no operation answers 5xx, whatever it is sent,
and every response matches the documented schema."""

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
def auth_header(db):
    estate = make_estate(code="HY01")
    make_unit(estate, number="1-1-101")
    _record, token = api_token_create(user=make_staff(estate, "admin"))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_answers_5xx_and_matches_its_schema(case, auth_header):
    case.call_and_validate(
        headers=auth_header,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
