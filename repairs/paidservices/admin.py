"""Paid services in the admin. Company defaults (no estate) are kept here by a company admin;
orders are read-only (money: every write goes through services.py)."""

from django.contrib import admin

from repairs.paidservices.models import Order, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "estate", "pricing", "price", "category_code", "online")
    list_filter = ("estate", "pricing", "online", "active")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("ticket", "service", "estate", "price", "quote_confirmed_at")
    list_filter = ("estate",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
