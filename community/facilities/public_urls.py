"""Residents' facility pages under /r/<estate code>/ (namespace ``public``, see estate/urls.py)."""

from django.urls import path

from community.facilities import public_views as views

urlpatterns = [
    path("<str:code>/facilities/", views.facility_list, name="facilities"),
    path("<str:code>/facilities/<int:facility_id>/", views.facility_book, name="facility_book"),
    path(
        "<str:code>/facilities/<int:facility_id>/photo",
        views.facility_photo,
        name="facility_photo",
    ),
    path("<str:code>/bookings/<str:token>/", views.booking_detail, name="facility_booking"),
    path(
        "<str:code>/bookings/<str:token>/cancel",
        views.booking_cancel,
        name="facility_booking_cancel",
    ),
]
