"""Residents' request pages under /r/<estate code>/ (no login; namespace ``public``, see
estate/urls.py): the report form, tracking and rating, one's own requests."""

from django.urls import path

from repairs.public import views

urlpatterns = [
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/my/", views.my_requests, name="my_requests"),
    path("<str:code>/t/<str:tracking>/", views.track, name="track"),
    path("<str:code>/t/<str:tracking>/rate", views.rate, name="rate"),
    path("<str:code>/t/<str:tracking>/not-solved", views.not_solved, name="not_solved"),
]
