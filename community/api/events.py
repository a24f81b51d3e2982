"""Events and sign-ups."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from community import selectors, services
from community.api.schemas import (
    CheckInIn,
    EventFilters,
    EventIn,
    EventOut,
    EventPage,
    SignUpIn,
    SignUpOut,
    SignUpPage,
)
from community.models import Event, SignUp
from estate.errors import DomainError
from estate.localtime import day_start
from estate.models import Unit
from estate.schemas import ERRORS_4XX, PageParams, paginate
from estate.scoping import estate_by_code, for_user, require

router = Router(tags=["community"])


def _event(request, event_id: int, action: str = "community.view") -> Event:
    event = for_user(Event, request.auth).select_related("estate").filter(pk=event_id).first()
    if event is None:
        raise DomainError("not_found", _("Not found."), status=404)
    require(request.auth, event.estate, action)
    return event


def _with_counts(event: Event) -> Event:
    return (
        selectors.events_with_counts(estate=event.estate).select_related("estate").get(pk=event.pk)
    )


@router.get(
    "/events",
    response={200: EventPage, **ERRORS_4XX},
    summary="Events of an estate, each with confirmed_count and attended_count (KPI.md)",
)
def event_list(request, filters: Query[EventFilters]):
    estate = estate_by_code(request.auth, filters.estate)
    require(request.auth, estate, "community.view")
    qs = selectors.events_with_counts(
        estate=estate,
        starts_from=(filters.starts_from and day_start(filters.starts_from, estate)),
        starts_to=(filters.starts_to and day_start(filters.starts_to, estate)),
    ).select_related("estate")
    return paginate(qs, filters)


@router.post("/events", response={201: EventOut, **ERRORS_4XX}, summary="Create an event")
def event_create(request, payload: EventIn):
    estate = estate_by_code(request.auth, payload.estate)
    require(request.auth, estate, "community.event.manage")
    data = payload.dict(exclude={"estate"})
    event = services.event_create(estate=estate, by=request.auth, **data)
    return Status(201, _with_counts(event))


@router.get(
    "/events/{event_id}", response={200: EventOut, **ERRORS_4XX}, summary="One event with counts"
)
def event_detail(request, event_id: int):
    return _with_counts(_event(request, event_id))


@router.get(
    "/events/{event_id}/signups",
    response={200: SignUpPage, **ERRORS_4XX},
    summary="An event's sign-ups: confirmed, wait list (in order), cancelled; phones masked",
)
def signup_list(request, event_id: int, page: Query[PageParams]):
    event = _event(request, event_id)
    qs = selectors.signups_of(event=event).select_related("event__estate")
    return paginate(qs, page)


@router.post(
    "/events/{event_id}/signups",
    response={201: SignUpOut, **ERRORS_4XX},
    summary="Sign up at the front desk: confirmed while places last, else on the wait list",
)
def signup_create(request, event_id: int, payload: SignUpIn):
    event = _event(request, event_id, "community.signup")
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(estate=event.estate, number=payload.unit.strip()).first()
        if unit is None:
            raise DomainError("invalid", _("There is no such unit in this estate."), field="unit")
    signup = services.signup_create(
        event=event,
        name=payload.name,
        phone=payload.phone,
        people=payload.people,
        unit=unit,
        channel=SignUp.Channel.DESK,
        by=request.auth,
    )
    return Status(201, signup)


def _signup(request, signup_id: int) -> SignUp:
    signup = (
        for_user(SignUp, request.auth)
        .select_related("event__estate", "unit")
        .filter(pk=signup_id)
        .first()
    )
    if signup is None:
        raise DomainError("not_found", _("Not found."), status=404)
    require(request.auth, signup.event.estate, "community.signup")
    return signup


@router.post(
    "/signups/{signup_id}/cancel",
    response={200: SignUpOut, **ERRORS_4XX},
    summary="Cancel a sign-up; the first on the wait list moves up and is told by SMS",
)
def signup_cancel(request, signup_id: int):
    signup = _signup(request, signup_id)
    services.signup_cancel(signup=signup, by=request.auth)
    signup.refresh_from_db()
    return signup


@router.post(
    "/signups/{signup_id}/check-in",
    response={200: SignUpOut, **ERRORS_4XX},
    summary="Mark a confirmed sign-up attended (undo: true to take it back)",
)
def signup_check_in(request, signup_id: int, body: CheckInIn):
    signup = _signup(request, signup_id)
    services.signup_check_in(signup=signup, by=request.auth, undo=body.undo)
    signup.refresh_from_db()
    return signup
