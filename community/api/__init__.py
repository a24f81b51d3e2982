"""The community API, mounted under /api/v1/ by estate.api. Thin: schemas in, a service or
selector call, schemas out. Datetimes are ISO 8601 in the estate's zone."""

from ninja import Router

from community.api import announcements, events, surveys

router = Router()
router.add_router("", announcements.router)
router.add_router("", events.router)
router.add_router("", surveys.router)
