"""Facilities and bookings in the admin, read-only: every write goes through services.py (a
booking made here would skip the slot and out-of-service checks)."""

from django.contrib import admin

from community.facilities.models import Booking, Facility


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Facility)
class FacilityAdmin(ReadOnly):
    list_display = ("name", "estate", "kind", "capacity", "opens", "closes", "active")
    list_filter = ("estate", "kind", "active")


@admin.register(Booking)
class BookingAdmin(ReadOnly):
    list_display = ("facility", "date", "slot_start", "status", "name", "phone_masked")
    list_filter = ("estate", "status")
    exclude = ("phone_enc", "phone_index", "token")
