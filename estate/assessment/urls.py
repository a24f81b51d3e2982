"""Staff assessment pages under /assessment/ (namespace ``assessment``)."""

from django.urls import path

from estate.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.figures, name="figures"),
    path("records/", views.records, name="records"),
    path("trainings/new/", views.training_new, name="training_new"),
]
