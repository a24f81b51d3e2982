"""Every renovation URL with an id, asked for by a user of another estate, answers 404."""

from tests.cross_estate import register
from tests.renovation.factories import make_application, make_renovating, make_violation


def _application(estate):
    return {"application_id": make_application(estate).pk}


def _renovating(estate):
    return {"application_id": make_renovating(estate).pk}


def _violation(estate):
    from django.utils import timezone

    return {"violation_id": make_violation(make_renovating(estate), found_at=timezone.now()).pk}


def _drawing(estate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from renovation import services
    from tests.factories import make_staff

    desk = make_staff(estate, "front_desk")
    app = make_application(estate, by=desk)
    drawing = services.drawing_add(
        application=app, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan"), by=desk
    )
    return {"application_id": app.pk, "drawing_id": drawing.pk}


# Pages (renovation/urls.py)
register("renovation:application", _application)
register("renovation:application_edit", _application, methods=("GET", "POST"))
register("renovation:application_transition", _application, methods=("POST",))
register("renovation:permit_pdf", _application)
register("renovation:drawing", _drawing)
register("renovation:inspection_create", _renovating, methods=("POST",))
register("renovation:violation_create", _renovating, methods=("POST",))
register("renovation:acceptance_create", _renovating, methods=("POST",))
register("renovation:refund", _renovating, methods=("POST",))
register("renovation:violation_close", _violation, methods=("POST",))
register("renovation:notice_pdf", _violation)

# API (renovation/api)
register("api:application_detail", _application)
register("api:application_permit_pdf", _application)
register("api:drawing_add", _application, methods=("POST",))
register("api:application_transition", _application, methods=("POST",), data={"action": "approve"})
register("api:inspection_create", _renovating, methods=("POST",), data={"notes": "x"})
register(
    "api:violation_create",
    _renovating,
    methods=("POST",),
    data={"source": "inspection", "type": "noise", "description": "x"},
)
register(
    "api:acceptance_create", _renovating, methods=("POST",), data={"checklist": {"fire": True}}
)
register("api:application_refund", _renovating, methods=("POST",), data={})
register("api:violation_detail", _violation)
register(
    "api:violation_close",
    _violation,
    methods=("POST",),
    data={"outcome": "rectified", "evidence": "x"},
)
register(
    "api:violation_deadline",
    _violation,
    methods=("POST",),
    data={"rectify_due_at": "2030-01-01T00:00:00+08:00"},
)
register("api:violation_notice_pdf", _violation)


def _worker(estate):
    from renovation import services
    from tests.factories import make_staff

    desk = make_staff(estate, "front_desk")
    app = make_renovating(estate, by=desk)
    worker = services.worker_add(application=app, name="张三", id_number="1234", by=desk)
    return {"application_id": app.pk, "worker_id": worker.pk}


register("renovation:worker_add", _renovating, methods=("POST",))
register("renovation:worker_remove", _worker, methods=("POST",))
register("renovation:worker_pass_pdf", _worker)
