"""The community API, mounted under /api/v1/ by estate.api. Thin: schemas in, a service or
selector call, schemas out. Datetimes are ISO 8601 in the estate's zone."""

from ninja import Router

router = Router(tags=["community"])

from community.api import announcements, events, surveys  # noqa: E402, F401  (adds routes)
