"""The residents' paid-service page (namespace ``public``, see estate/urls.py)."""

from django.urls import path

from repairs.paidservices import views

urlpatterns = [path("<str:code>/services/", views.public_services, name="services")]
