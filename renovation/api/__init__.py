"""The renovation API, mounted under /api/v1/ by estate.api: applications and their steps,
patrols, violations (``GET /violations`` with KPI.md's fields), acceptance and the deposit's
refund. Thin: schemas in, a service or selector call, schemas out."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from estate.errors import DomainError
from estate.localtime import day_start
from estate.schemas import ERRORS_4XX, Day, EstateCode, PageParams, paginate
from estate.scoping import can, estate_by_code, estates_for, for_user, require
from renovation import pdf, roles, selectors, services, workflow
from renovation.api.schemas import (
    AcceptanceIn,
    AcceptanceOut,
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationPage,
    CloseIn,
    DeadlineIn,
    InspectionIn,
    InspectionOut,
    RefundIn,
    RefundOut,
    SourceLit,
    TransitionIn,
    ViolationIn,
    ViolationOut,
    ViolationPage,
)
from renovation.models import Application, Violation

router = Router(tags=["renovation"])
PDF = {
    "responses": {
        200: {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _viewable_estates(user):
    return [e for e in estates_for(user) if can(user, e, roles.VIEW)]


def _application(request, application_id: int) -> Application:
    app = for_user(Application, request.auth).filter(pk=application_id).first()
    if app is None or not can(request.auth, app.estate_id, roles.VIEW):
        raise DomainError("not_found", _("Not found."), status=404)
    return app


def _violation(request, violation_id: int) -> Violation:
    violation = (
        for_user(Violation, request.auth)
        .select_related("estate", "type", "application__unit")
        .filter(pk=violation_id)
        .first()
    )
    if violation is None or not can(request.auth, violation.estate_id, roles.VIEW):
        raise DomainError("not_found", _("Not found."), status=404)
    return violation


def _detail(request, app: Application) -> Application:
    app = selectors.application_detail(app.pk)
    app.allowed_actions = workflow.allowed_actions(app, request.auth)
    return app


class ApplicationFilters(PageParams):
    estate: EstateCode | None = Field(None, description="estate code, e.g. HY01")
    status: str | None = Field(None, max_length=16)


@router.get(
    "/renovation/applications",
    response={200: ApplicationPage, **ERRORS_4XX},
    summary="Renovation applications (装修申请), newest first",
)
def application_list(request, filters: Query[ApplicationFilters]):
    estates = (
        [estate_by_code(request.auth, filters.estate)]
        if filters.estate
        else _viewable_estates(request.auth)
    )
    if filters.estate and not can(request.auth, estates[0], roles.VIEW):
        raise DomainError("forbidden", _("Your role does not allow this."), status=403)
    qs = Application.objects.filter(estate__in=estates)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(selectors.application_rows(qs), filters)


@router.post(
    "/renovation/applications",
    response={201: ApplicationDetailOut, **ERRORS_4XX},
    summary="Take an application; non-routine works go to a manager's review after the check",
)
def application_create(request, payload: ApplicationIn):
    estate = estate_by_code(request.auth, payload.estate)
    app = services.application_create(
        estate=estate, data=payload.dict(exclude={"estate"}), by=request.auth
    )
    return Status(201, _detail(request, app))


@router.get(
    "/renovation/applications/{application_id}",
    response={200: ApplicationDetailOut, **ERRORS_4XX},
    summary="One application with its patrols, violations, acceptance and deposit",
)
def application_detail(request, application_id: int):
    return _detail(request, _application(request, application_id))


class DrawingOut(Schema):
    id: int
    name: str
    kind: str
    size: int


@router.post(
    "/renovation/applications/{application_id}/drawings",
    response={201: DrawingOut, **ERRORS_4XX},
    summary="Attach a drawing (PDF or image, at most 10 MB)",
)
def drawing_add(request, application_id: int, file: File[UploadedFile] = None):
    app = _application(request, application_id)
    if file is None:
        raise DomainError(
            "invalid", _("Attach the drawing as multipart field 'file'."), field="drawings"
        )
    return Status(201, services.drawing_add(application=app, upload=file, by=request.auth))


@router.post(
    "/renovation/applications/{application_id}/transitions",
    response={200: ApplicationDetailOut, **ERRORS_4XX},
    summary="A workflow step: check, approve, return, reject, resubmit, cancel or start",
)
def application_transition(request, application_id: int, payload: TransitionIn):
    app = _application(request, application_id)
    services.application_transition(
        application=app, action=payload.action, comment=payload.comment, by=request.auth
    )
    return _detail(request, app)


@router.post(
    "/renovation/applications/{application_id}/inspections",
    response={201: InspectionOut, **ERRORS_4XX},
    summary="Record a patrol (巡查) of a renovating unit, with any violations seen",
)
def inspection_create(request, application_id: int, payload: InspectionIn):
    app = _application(request, application_id)
    inspection = services.inspection_record(
        application=app,
        notes=payload.notes,
        at=payload.at,
        violations=[v.dict() for v in payload.violations],
        by=request.auth,
    )
    return Status(201, inspection)


@router.post(
    "/renovation/applications/{application_id}/violations",
    response={201: ViolationOut, **ERRORS_4XX},
    summary="Record a violation found on patrol or reported by a resident",
)
def violation_create(request, application_id: int, payload: ViolationIn):
    app = _application(request, application_id)
    if payload.source == "resident_report":
        ticket = None
        if payload.ticket is not None:
            from repairs.models import Ticket

            ticket = Ticket.objects.filter(pk=payload.ticket, estate_id=app.estate_id).first()
            if ticket is None:
                raise DomainError("invalid", _("Unknown ticket."), field="ticket")
        violation = services.violation_report_from_resident(
            application=app,
            type=payload.type,
            description=payload.description,
            found_at=payload.found_at,
            ticket=ticket,
            by=request.auth,
        )
    else:
        violation = services.violation_record(
            application=app,
            source=payload.source,
            type=payload.type,
            description=payload.description,
            found_at=payload.found_at,
            by=request.auth,
        )
    return Status(201, violation)


@router.post(
    "/renovation/applications/{application_id}/acceptance",
    response={201: AcceptanceOut, **ERRORS_4XX},
    summary="The final inspection (验收): passes when every item is ticked and none is open",
)
def acceptance_create(request, application_id: int, payload: AcceptanceIn):
    app = _application(request, application_id)
    acceptance = services.acceptance_record(
        application=app,
        checklist=payload.checklist,
        notes=payload.notes,
        violations=[v.dict() for v in payload.violations],
        by=request.auth,
    )
    return Status(201, acceptance)


@router.post(
    "/renovation/applications/{application_id}/refund",
    response={200: RefundOut, **ERRORS_4XX},
    summary="Refund the deposit (finance): the paid deposit minus what violations withheld",
)
def application_refund(request, application_id: int, payload: RefundIn):
    app = _application(request, application_id)
    return services.application_deposit_refund(application=app, note=payload.note, by=request.auth)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/renovation/applications/{application_id}/permit.pdf",
    response=ERRORS_4XX,
    openapi_extra=PDF,
    summary="The renovation permit (装修许可证), once approved",
)
def application_permit_pdf(request, application_id: int):
    app = _application(request, application_id)
    return _pdf(pdf.permit_pdf(app), f"{app.number}.pdf")


class ViolationFilters(PageParams):
    estate: EstateCode | None = Field(None, description="estate code, e.g. HY01")
    found_from: Day | None = Field(None, description="local date, inclusive")
    found_to: Day | None = Field(None, description="local date, exclusive")
    source: SourceLit | None = None


@router.get(
    "/violations",
    response={200: ViolationPage, **ERRORS_4XX},
    summary="Violations (违章) with KPI.md's fields: the three rates can be recomputed from them",
)
def violation_list(request, filters: Query[ViolationFilters]):
    if filters.found_from and filters.found_to and filters.found_to <= filters.found_from:
        raise DomainError("invalid", _("'found_to' must be after 'found_from'."), field="found_to")
    if filters.estate:
        estate = estate_by_code(request.auth, filters.estate)
        require(request.auth, estate, roles.VIEW)
        estates, tz = [estate], estate.tz
    else:
        estates = _viewable_estates(request.auth)
        tz = estates[0].tz if len(estates) == 1 else dt.UTC
    qs = selectors.violation_list(
        estates=estates,
        found_from=day_start(filters.found_from, tz) if filters.found_from else None,
        found_to=day_start(filters.found_to, tz) if filters.found_to else None,
        source=filters.source,
    )
    return paginate(selectors.violation_rows(qs), filters)


@router.get(
    "/violations/{violation_id}",
    response={200: ViolationOut, **ERRORS_4XX},
    summary="One violation",
)
def violation_detail(request, violation_id: int):
    return _violation(request, violation_id)


@router.post(
    "/violations/{violation_id}/close",
    response={200: ViolationOut, **ERRORS_4XX},
    summary="Close as rectified (with evidence) or not rectified (manager; deposit withheld)",
)
def violation_close(request, violation_id: int, payload: CloseIn):
    violation = _violation(request, violation_id)
    if payload.outcome == "rectified":
        services.violation_close_rectified(
            violation=violation,
            evidence=payload.evidence,
            rectified_at=payload.rectified_at,
            by=request.auth,
        )
    else:
        services.violation_close_not_rectified(
            violation=violation,
            penalty=payload.penalty,
            reason=payload.reason,
            by=request.auth,
        )
    return _violation(request, violation_id)


@router.post(
    "/violations/{violation_id}/deadline",
    response={200: ViolationOut, **ERRORS_4XX},
    summary="Move an open violation's rectification deadline",
)
def violation_deadline(request, violation_id: int, payload: DeadlineIn):
    violation = _violation(request, violation_id)
    services.violation_deadline_set(
        violation=violation, due_at=payload.rectify_due_at, by=request.auth
    )
    return _violation(request, violation_id)


@router.get(
    "/violations/{violation_id}/notice.pdf",
    response=ERRORS_4XX,
    openapi_extra=PDF,
    summary="The rectification notice (整改通知书)",
)
def violation_notice_pdf(request, violation_id: int):
    violation = _violation(request, violation_id)
    return _pdf(pdf.notice_pdf(violation), f"{violation.number}.pdf")
