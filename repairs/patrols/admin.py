"""Patrol records in the admin, read-only: a finding opens a ticket, so every write goes
through services.py."""

from django.contrib import admin

from repairs.patrols.models import Checklist, Finding, Round


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnly):
    list_display = ("name", "estate", "area", "category", "active")
    list_filter = ("estate", "area")


@admin.register(Round)
class RoundAdmin(ReadOnly):
    list_display = ("checklist", "estate", "inspector", "planned_for", "status", "done_at")
    list_filter = ("estate", "status")
    exclude = ("inspector_phone_enc",)


@admin.register(Finding)
class FindingAdmin(ReadOnly):
    list_display = ("round", "item", "passed", "ticket", "recorded_at")
    list_filter = ("estate", "passed")
