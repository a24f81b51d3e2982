"""The estate's public pages under /r/<estate code>/ (namespace ``public``, see estate/urls.py)."""

from django.urls import path

from community import public_views as views

urlpatterns = [
    path("<str:code>/home", views.home, name="home"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
    path("<str:code>/events/<int:event_id>", views.event_signup, name="event_signup"),
    path("<str:code>/signup/<str:token>", views.event_feedback, name="event_feedback"),
    path("<str:code>/survey/<str:token>", views.survey, name="survey"),
]
