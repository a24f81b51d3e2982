"""Staff pages of the move-in handover (mounted at /movein/)."""

from django.urls import path

from residents.movein import views

app_name = "movein"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("defaults/", views.calendar_defaults, name="calendar_defaults"),
    path("book/", views.book, name="book"),
    path("day/", views.day, name="day"),
    path("handovers/", views.handover_list, name="list"),
    path("handovers/<int:handover_id>/", views.handover, name="handover"),
    path("handovers/<int:handover_id>/items/<int:item_id>/", views.item_update, name="item"),
    path("handovers/<int:handover_id>/defects/", views.defect_add, name="defect_add"),
    path("handovers/<int:handover_id>/rate/", views.rate, name="rate"),
    path("handovers/<int:handover_id>/<str:action>/", views.action, name="action"),
    path(
        "handovers/<int:handover_id>/acknowledgement.pdf",
        views.acknowledgement_pdf,
        name="acknowledgement_pdf",
    ),
]
