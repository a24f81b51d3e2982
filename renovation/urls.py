"""Staff pages of renovation."""

from django.urls import path

from renovation.views import applications, site, workers

app_name = "renovation"
urlpatterns = [
    path("", site.board, name="board"),
    path("applications/", applications.application_list, name="applications"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/<int:application_id>/", applications.application_detail, name="application"),
    path(
        "applications/<int:application_id>/edit/",
        applications.application_edit,
        name="application_edit",
    ),
    path(
        "applications/<int:application_id>/step/",
        applications.application_transition,
        name="application_transition",
    ),
    path(
        "applications/<int:application_id>/drawings/<int:drawing_id>",
        applications.application_drawing,
        name="drawing",
    ),
    path(
        "applications/<int:application_id>/permit.pdf",
        applications.application_permit_pdf,
        name="permit_pdf",
    ),
    path(
        "applications/<int:application_id>/patrols/",
        site.inspection_create,
        name="inspection_create",
    ),
    path(
        "applications/<int:application_id>/violations/",
        site.violation_create,
        name="violation_create",
    ),
    path(
        "applications/<int:application_id>/acceptance/",
        site.acceptance_create,
        name="acceptance_create",
    ),
    path("applications/<int:application_id>/refund/", site.application_refund, name="refund"),
    path("applications/<int:application_id>/workers/", workers.worker_add, name="worker_add"),
    path(
        "applications/<int:application_id>/workers/<int:worker_id>/remove/",
        workers.worker_remove,
        name="worker_remove",
    ),
    path(
        "applications/<int:application_id>/workers/<int:worker_id>/pass.pdf",
        workers.worker_pass_pdf,
        name="worker_pass_pdf",
    ),
    path("violations/", site.violation_list, name="violations"),
    path("violations/<int:violation_id>/close/", site.violation_close, name="violation_close"),
    path("violations/<int:violation_id>/notice.pdf", site.violation_notice_pdf, name="notice_pdf"),
]
