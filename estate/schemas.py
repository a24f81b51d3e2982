"""Schemas and helpers shared by every app's API."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

# An aware datetime shown in the estate's zone (the API's ISO strings carry the offset); the
# apps' schemas import it from here.
from estate.localtime import local as local


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
