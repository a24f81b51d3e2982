from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from community import public_urls as community_public
from community.facilities import public_urls as facilities_public
from estate import health, views
from estate.api import api
from repairs.paidservices import public_urls as paidservices_public
from repairs.public import urls as repairs_public
from residents.movein import public_urls as movein_public

urlpatterns = [
    # First: the API is most of the requests, and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="estate/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("estate/switch/", views.switch_estate, name="switch_estate"),
    path("kpis/", views.kpi_table, name="kpi_table"),
    path("kpis/recompute/", views.kpi_recompute, name="kpi_recompute"),
    path("dashboard/", include("estate.dashboard.urls")),
    path("kpis/status/", views.kpi_month_status, name="kpi_month_status"),
    path("kpis/unfreeze/", views.kpi_unfreeze, name="kpi_unfreeze"),
    path("kpis/freeze/", views.kpi_freeze, name="kpi_freeze"),
    path("notifications/", views.notifications, name="notifications"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("health/", health.health_page, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("residents/", include("residents.urls")),
    path("repairs/", include("repairs.urls")),
    path("fees/", include("fees.urls")),
    path("renovation/", include("renovation.urls")),
    path("community/", include("community.urls")),
    path("movein/", include("residents.movein.urls")),
    path("facilities/", include("community.facilities.urls")),
    path("patrols/", include("repairs.patrols.urls")),
    path("paid-services/", include("repairs.paidservices.urls")),
    path("assessment/", include("estate.assessment.urls")),
    # Residents' public pages: each app owns its own, under one namespace.
    path(
        "r/",
        include(
            (
                [
                    *repairs_public.urlpatterns,
                    *community_public.urlpatterns,
                    *movein_public.urlpatterns,
                    *facilities_public.urlpatterns,
                    *paidservices_public.urlpatterns,
                ],
                "public",
            )
        ),
    ),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
