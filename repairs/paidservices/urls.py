"""Paid-service staff pages under /paid-services/ (namespace ``paidservices``)."""

from django.urls import path

from repairs.paidservices import views

app_name = "paidservices"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/<str:action>", views.order_action, name="order_action"),
]
