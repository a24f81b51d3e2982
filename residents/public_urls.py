"""Public resident pages under /r/<estate code>/ (no login)."""

from django.urls import path

from residents import public_views as views

app_name = "public"
urlpatterns = [
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/home", views.home, name="home"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
    path("<str:code>/my/", views.my_requests, name="my_requests"),
    path("<str:code>/t/<str:tracking>/", views.track, name="track"),
    path("<str:code>/t/<str:tracking>/rate", views.rate, name="rate"),
    path("<str:code>/t/<str:tracking>/not-solved", views.not_solved, name="not_solved"),
]
