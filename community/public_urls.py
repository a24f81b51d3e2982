"""The estate's public page under /r/<estate code>/ (namespace ``public``, see estate/urls.py)."""

from django.urls import path

from community import public_views as views

urlpatterns = [
    path("<str:code>/home", views.home, name="home"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
]
