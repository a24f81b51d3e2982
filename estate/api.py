"""The API root: one NinjaAPI at /api/v1/, its auth, its one error shape, every app's router."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from estate.errors import DomainError
from estate.schemas import StrictParser

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; tokens come from ``manage.py create_token``."""

    def authenticate(self, request, token):
        from estate.tokens import user_for_token

        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class StaffSession(SessionAuth):
    """The staff member's browser session; unsafe methods need the CSRF token."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class EstateDeskAPI(NinjaAPI):
    """The API, whose OpenAPI document states on every operation the error answers it may give
    (one shape for all: ``{"code", "message", "field"}``)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Error",
            {
                "title": "Error",
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
                "required": ["code", "message"],
            },
        )
        error = {
            "description": "Refused: bad input (400/422), not logged in (401), role (403), "
            "not found or another estate's (404), state conflict (409), too many (429)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("4XX", error)
        return schema


api = EstateDeskAPI(
    title="EstateDesk API",
    version="1",
    description=(
        "物业客服中心 EstateDesk. Authenticate with a staff session (CSRF token on unsafe "
        "methods) or `Authorization: Bearer <token>` from `manage.py create_token`. Errors have "
        'one shape: `{"code", "message", "field"}`. Rates follow KPI.md exactly.'
    ),
    auth=[TokenAuth(), StaffSession()],
    urls_namespace="api",
    parser=StrictParser(),
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")]
    # Drop the schema's parameter name ("payload", "filters") when a field follows it.
    if len(loc) > 1:
        loc = loc[1:]
    field = ".".join(loc) or None
    message = first.get("msg", "invalid input")
    return _error(request, 422, "invalid", f"{field}: {message}" if field else message, field)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthorized", "Authentication required.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    """An integer past what the database holds (``?assignee=10**30``): bad input, not a fault."""
    return _error(request, 422, "invalid", "A number is out of range.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "too_large", "The request body is too large.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # the parser's refusal of a body's text
        return on_domain_error(request, exc.__cause__)
    code = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    if exc.status_code == 403 and "CSRF" in str(exc):
        code = "csrf_failed"
    return _error(request, exc.status_code, code, str(exc))


def _mount() -> None:
    from community.api import router as community_router
    from community.facilities.api import router as facilities_router
    from estate.assessment.api import router as assessment_router
    from estate.dashboard.api import router as dashboard_router
    from estate.routers import router as estate_router
    from fees.api import router as fees_router
    from renovation.api import router as renovation_router
    from repairs.api import router as repairs_router
    from repairs.paidservices.api import router as paidservices_router
    from repairs.patrols.api import router as patrols_router
    from residents.api import router as residents_router
    from residents.movein.api import router as movein_router

    api.add_router("", estate_router)
    api.add_router("", dashboard_router)
    api.add_router("", residents_router)
    api.add_router("", repairs_router)
    api.add_router("", fees_router)
    api.add_router("", renovation_router)
    api.add_router("", community_router)
    api.add_router("", movein_router)
    api.add_router("", facilities_router)
    api.add_router("", paidservices_router)
    api.add_router("", patrols_router)
    api.add_router("", assessment_router)


_mount()
