"""Announcements."""

from ninja import Query, Router, Status

from community import selectors, services
from community.api.schemas import (
    AnnouncementFilters,
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPage,
)
from estate.schemas import ERRORS_4XX, paginate
from estate.scoping import estate_by_code, require

router = Router(tags=["community"])


@router.get(
    "/announcements",
    response={200: AnnouncementPage, **ERRORS_4XX},
    summary="An estate's announcements, or those current / scheduled / expired",
)
def announcement_list(request, filters: Query[AnnouncementFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "community.view")
    qs = selectors.announcements_staff(estate=estate, state=filters.state or "")
    return paginate(qs.select_related("estate"), filters)


@router.post(
    "/announcements",
    response={201: list[AnnouncementOut], **ERRORS_4XX},
    summary="Publish an announcement to one estate or several (one row each)",
)
def announcement_create(request, payload: AnnouncementIn):
    estates = [estate_by_code(request.auth, code, field="estates") for code in payload.estates]
    for estate in estates:
        require(request.auth, estate, "community.announcement.manage")
    rows = services.announcements_publish(
        estates=estates,
        title=payload.title,
        body=payload.body,
        category=payload.category,
        pinned=payload.pinned,
        publish_at=payload.publish_at,
        expire_at=payload.expire_at,
        by=request.auth,
    )
    return Status(201, rows)
