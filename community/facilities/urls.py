"""Staff pages of venues and facilities, under /facilities/ (namespace ``facilities``)."""

from django.urls import path

from community.facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("new/", views.facility_new, name="new"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("<int:facility_id>/", views.facility_detail, name="detail"),
    path("<int:facility_id>/edit/", views.facility_edit, name="edit"),
    path(
        "<int:facility_id>/out-of-service/",
        views.facility_out_of_service,
        name="out_of_service",
    ),
]
