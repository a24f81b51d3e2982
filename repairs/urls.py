"""Staff pages of repairs."""

from django.urls import path

from repairs import views

app_name = "repairs"
urlpatterns = [
    path("", views.queue, name="queue"),
]
