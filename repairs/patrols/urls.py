"""Patrol pages under /patrols/ (namespace ``patrols``)."""

from django.urls import path

from repairs.patrols import views

app_name = "patrols"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("checklists/new/", views.checklist_new, name="checklist_new"),
    path("rounds/", views.round_list, name="rounds"),
    path("findings/", views.finding_list, name="findings"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("mine/", views.mine, name="mine"),
    path("rounds/<int:round_id>/", views.walk, name="walk"),
    path("findings/<int:finding_id>/photo", views.finding_photo, name="finding_photo"),
]
