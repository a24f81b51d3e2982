"""The owner's rating link under /r/<estate code>/handover/<token>/ (namespace ``public``, see
estate/urls.py)."""

from django.urls import path

from residents.movein import public_views as views

urlpatterns = [
    path("<str:code>/handover/<str:token>/", views.rate, name="handover_rate"),
]
