"""The manager's pages, under /dashboard/."""

from django.urls import path

from estate.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("company/", views.company, name="company"),
    path("explain/", views.explain, name="explain"),
    path("targets/", views.targets, name="targets"),
    path("kpis.csv", views.kpi_csv, name="kpi_csv"),
    path("kpis.xlsx", views.kpi_xlsx, name="kpi_xlsx"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<int:bulletin_id>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:bulletin_id>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
]
