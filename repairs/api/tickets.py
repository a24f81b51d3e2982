"""The tickets API (part of ``repairs.api.router``, mounted under /api/v1/ by estate.api). Thin: schemas in, a service or
selector call, schemas out. Datetimes are ISO 8601 in the estate's zone; list items carry
every field KPI.md's rates read, so the rates can be recomputed from the list alone."""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from estate import privacy
from estate.errors import DomainError
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams
from estate.scoping import estate_by_code, require
from repairs import selectors, services
from repairs.api import answers
from repairs.api.schemas import (
    EventOut,
    SampleOut,
    TicketDetailOut,
    TicketIn,
    TicketPage,
    VisitIn,
    VisitOut,
)
from repairs.models import Ticket

router = Router(tags=["tickets"])
KindLit = Literal["repair", "complaint", "suggestion"]
StatusLit = Literal[
    "open",
    "submitted",
    "accepted",
    "dispatched",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
]


def _ticket(request, ticket_id: int) -> Ticket:
    return selectors.ticket_for(user=request.auth, ticket_id=ticket_id)


def _detail(request, ticket: Ticket) -> Ticket:
    return selectors.ticket_detail(user=request.auth, ticket_id=ticket.pk)


def _json(request, data: dict, status: int):
    """An answer already in its schema's JSON form (``repairs.api.answers``), rendered as
    ninja renders a validated one; the operation's declared schema still documents it."""
    from estate.api import api

    return api.create_response(request, data, status=status)


# Tickets --------------------------------------------------------------------------------------
class TicketFilters(PageParams):
    estate: EstateCode | None = Field(None, description="estate code, e.g. HY01")
    kind: KindLit | None = None
    status: StatusLit | None = Field(
        None, description='a status, or "open": every open status and on hold'
    )
    reported_from: Day | None = Field(None, description="local date, inclusive")
    reported_to: Day | None = Field(None, description="local date, exclusive")
    overdue: bool | None = Field(None, description="past a deadline that still runs")
    assignee: int | None = Field(None, description="user id of the technician")
    category: str | None = Field(None, max_length=32, description="category code or id")
    q: str | None = Field(None, max_length=50, description="number, reporter or unit number")
    visit: Literal["due"] | None = Field(
        None, description='"due": resolved tickets waiting for their return visit'
    )


@router.get(
    "/tickets",
    response={200: TicketPage, **ERRORS_4XX},
    summary="Tickets, filtered (KPI.md's fields: the ticket rates can be recomputed from them)",
)
def ticket_list(request, filters: Query[TicketFilters]):
    estate = estate_by_code(request.auth, filters.estate) if filters.estate else None
    items, count = selectors.ticket_list_page(
        user=request.auth,
        offset=filters.offset,
        limit=filters.limit,
        estate=estate,
        kind=filters.kind,
        status=filters.status,
        reported_from=filters.reported_from,
        reported_to=filters.reported_to,
        overdue=filters.overdue,
        assignee=filters.assignee,
        category=filters.category,
        q=filters.q,
        visit_due=filters.visit == "due",
    )
    english = answers.english_labels()  # once for the page, not per item
    # The items are TicketPage's JSON already (answers.list_item; tests/repairs/
    # test_ticket_list_page.py holds them equal to TicketFromModel's): answered without a
    # second validation and dump.
    page = {"items": [answers.list_item(row, english) for row in items], "count": count}
    return _json(request, page, 200)


@router.post(
    "/tickets",
    response={201: TicketDetailOut, **ERRORS_4XX},
    summary="Log a ticket; the deadlines come from the category's service level",
)
def ticket_create(request, payload: TicketIn):
    estate = estate_by_code(request.auth, payload.estate)
    ticket = services.ticket_create(
        estate=estate,
        kind=payload.kind,
        category=payload.category,
        priority=payload.priority,
        channel=payload.channel,
        description=payload.description,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        unit=payload.unit,
        unit_number=payload.unit_number or "",
        common_area=payload.common_area,
        resident=payload.resident,
        major_complaint=payload.major_complaint,
        preferred_visit_time=payload.preferred_visit_time,
        by=request.auth,
        with_detail=True,
    )
    # The answer is written from what was just saved (history, photos and visits included),
    # as TicketDetailOut's JSON directly (answers.ticket_detail; tests/repairs/
    # test_ticket_answers.py holds it equal to the schema's); the read and the schema stay for
    # a creator who may not see the ticket.
    if selectors.ticket_visible(user=request.auth, ticket=ticket):
        return _json(request, answers.ticket_detail(ticket), 201)
    return Status(201, _detail(request, ticket))


@router.get(
    "/tickets/{ticket_id}",
    response={200: TicketDetailOut, **ERRORS_4XX},
    summary="One ticket with its history, photos and return visits",
)
def ticket_detail(request, ticket_id: int):
    return _detail(request, _ticket(request, ticket_id))


class PhoneOut(Schema):
    reporter_phone: str


@router.get(
    "/tickets/{ticket_id}/reporter-phone",
    response={200: PhoneOut, **ERRORS_4XX},
    summary="The reporter's full phone number (role-restricted; every view is logged)",
)
def ticket_reporter_phone(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    require(request.auth, ticket.estate, "personal_data.view_unmasked")
    privacy.log_unmasked(user=request.auth, obj=ticket, field="reporter_phone", request=request)
    return {"reporter_phone": ticket.reporter_phone}


@router.post(
    "/tickets/{ticket_id}/photos",
    response={201: TicketDetailOut, **ERRORS_4XX},
    summary="Attach a photo (JPEG/PNG, at most 5 MB, at most 3 per ticket)",
)
def ticket_photo_add(request, ticket_id: int, photo: File[UploadedFile] = None):
    ticket = _ticket(request, ticket_id)
    if photo is None:
        raise DomainError(
            "invalid", _("Attach the photo as multipart field 'photo'."), field="photo"
        )
    services.ticket_photo_add(ticket=ticket, photo=photo, by=request.auth)
    return Status(201, _detail(request, ticket))


# Transitions: each its own POST ----------------------------------------------------------------
class NoteIn(Schema):
    note: str = Field("", description="optional, at most 500 characters")


class ResolveIn(Schema):
    note: str = Field(
        "",
        description="the completion note, what was done (required, at most 500 characters)",
        examples=["换了阀门"],
    )


class DispatchIn(NoteIn):
    assignee: int | None = Field(None, description="user id of a staff member of the estate")
    department: int | None = Field(None, description="department id")


class ReasonIn(Schema):
    reason: str = Field(..., description="why (at most 500 characters)")


class CloseIn(NoteIn):
    outcome: Literal["solved", "not_solved"]


class CancelIn(NoteIn):
    reason: Literal["duplicate", "invalid"]


class ChargeIn(NoteIn):
    amount: str | None = Field(..., description='CNY, e.g. "80.00"; null clears the charge')


TRANSITION = {"response": {200: TicketDetailOut, **ERRORS_4XX}}


@router.post("/tickets/{ticket_id}/accept", **TRANSITION, summary="Accept (first response)")
def ticket_accept(request, ticket_id: int, body: NoteIn):
    ticket = _ticket(request, ticket_id)
    return _detail(request, services.ticket_accept(ticket=ticket, by=request.auth, note=body.note))


@router.post(
    "/tickets/{ticket_id}/dispatch", **TRANSITION, summary="Dispatch to a technician/department"
)
def ticket_dispatch(request, ticket_id: int, body: DispatchIn):
    ticket = _ticket(request, ticket_id)
    assignee = department = None
    if body.assignee is not None:
        assignee = next(
            (
                u
                for u in selectors.dispatch_candidates(estate=ticket.estate)
                if u.pk == body.assignee
            ),
            None,
        )
        if assignee is None:
            raise DomainError("invalid", _("Not on this estate's staff."), field="assignee")
    if body.department is not None:
        department = next(
            (d for d in selectors.departments(estate=ticket.estate) if d.pk == body.department),
            None,
        )
        if department is None:
            raise DomainError("invalid", _("No such department here."), field="department")
    ticket = services.ticket_dispatch(
        ticket=ticket, by=request.auth, assignee=assignee, department=department, note=body.note
    )
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/start", **TRANSITION, summary="Start the work")
def ticket_start(request, ticket_id: int, body: NoteIn):
    ticket = _ticket(request, ticket_id)
    return _detail(request, services.ticket_start(ticket=ticket, by=request.auth, note=body.note))


@router.post("/tickets/{ticket_id}/hold", **TRANSITION, summary="Put on hold (clock stops)")
def ticket_hold(request, ticket_id: int, body: ReasonIn):
    ticket = _ticket(request, ticket_id)
    return _detail(
        request, services.ticket_hold(ticket=ticket, by=request.auth, reason=body.reason)
    )


@router.post(
    "/tickets/{ticket_id}/resume", **TRANSITION, summary="Resume (deadlines move by the hold)"
)
def ticket_resume(request, ticket_id: int, body: NoteIn):
    ticket = _ticket(request, ticket_id)
    return _detail(request, services.ticket_resume(ticket=ticket, by=request.auth, note=body.note))


@router.post(
    "/tickets/{ticket_id}/resolve", **TRANSITION, summary="Resolve, with a completion note"
)
def ticket_resolve(request, ticket_id: int, body: ResolveIn):
    ticket = _ticket(request, ticket_id)
    ticket = services.ticket_resolve(
        ticket=ticket, by=request.auth, note=body.note, note_required=True
    )
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/close", **TRANSITION, summary="Close as solved / not solved")
def ticket_close(request, ticket_id: int, body: CloseIn):
    ticket = _ticket(request, ticket_id)
    ticket = services.ticket_close(
        ticket=ticket, by=request.auth, outcome=body.outcome, note=body.note
    )
    return _detail(request, ticket)


@router.post("/tickets/{ticket_id}/reopen", **TRANSITION, summary="Reopen within the window")
def ticket_reopen(request, ticket_id: int, body: ReasonIn):
    ticket = _ticket(request, ticket_id)
    return _detail(
        request, services.ticket_reopen(ticket=ticket, by=request.auth, reason=body.reason)
    )


@router.post("/tickets/{ticket_id}/cancel", **TRANSITION, summary="Cancel as duplicate/invalid")
def ticket_cancel(request, ticket_id: int, body: CancelIn):
    ticket = _ticket(request, ticket_id)
    ticket = services.ticket_cancel(
        ticket=ticket, by=request.auth, reason=body.reason, note=body.note
    )
    return _detail(request, ticket)


@router.post(
    "/tickets/{ticket_id}/restore",
    **TRANSITION,
    summary="Restore a ticket cancelled by mistake (manager): back to its status before",
)
def ticket_restore(request, ticket_id: int, body: ReasonIn):
    ticket = _ticket(request, ticket_id)
    return _detail(
        request, services.ticket_restore(ticket=ticket, by=request.auth, reason=body.reason)
    )


@router.post(
    "/tickets/{ticket_id}/charge", **TRANSITION, summary="Set the paid-service charge (特约服务)"
)
def ticket_charge(request, ticket_id: int, body: ChargeIn):
    ticket = _ticket(request, ticket_id)
    ticket = services.ticket_charge_set(
        ticket=ticket, by=request.auth, amount=body.amount, note=body.note
    )
    return _detail(request, ticket)


@router.post(
    "/tickets/{ticket_id}/return-visits",
    response={201: VisitOut, **ERRORS_4XX},
    summary="Record a return visit (回访) attempt; reopen at once when it is not solved",
)
def ticket_return_visit(request, ticket_id: int, body: VisitIn):
    ticket = _ticket(request, ticket_id)
    visit = services.return_visit_record(
        ticket=ticket,
        by=request.auth,
        reached=body.reached,
        solved=body.solved,
        rating=body.rating,
        comment=body.comment,
        reopen=body.reopen,
    )
    return Status(201, visit)


@router.get(
    "/tickets/{ticket_id}/history",
    response={200: list[EventOut], **ERRORS_4XX},
    summary="A ticket's history: who did what, when",
)
def ticket_history(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    return selectors.ticket_history(ticket=ticket)


# Return-visit samples ---------------------------------------------------------------------------
class SampleQuery(Schema):
    estate: EstateCode
    period: str | None = Field(None, description="YYYY-MM; the latest sample when omitted")


@router.get(
    "/return-visit-samples",
    response={200: list[SampleOut], **ERRORS_4XX},
    summary="The monthly quality return-visit work list",
)
def return_visit_sample_list(request, query: Query[SampleQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, "repairs.return_visit")
    return list(selectors.sample_list(estate=estate, period=query.period))
