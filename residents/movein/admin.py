"""Move-in in the Django admin: each estate's calendar and checklist are editable here;
handovers, their checklists and defects are records written by the services only."""

from django.contrib import admin

from residents.movein.models import (
    BookingSettings,
    ChecklistItemTemplate,
    Defect,
    Handover,
    HandoverItem,
    SlotTemplate,
)


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["estate", "daily_capacity"]


@admin.register(SlotTemplate)
class SlotTemplateAdmin(admin.ModelAdmin):
    list_display = ["estate", "start", "end", "capacity", "active"]
    list_filter = ["estate", "active"]


@admin.register(ChecklistItemTemplate)
class ChecklistItemTemplateAdmin(admin.ModelAdmin):
    list_display = ["estate", "sort", "code", "label", "kind", "active"]
    list_filter = ["estate", "kind", "active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by residents.movein.services only (bookings keep their counters in step)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    fields = ["label", "done", "done_at", "key_count", "reading", "balance", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["id", "estate", "unit", "booked_date", "status", "completed_at", "rating"]
    list_filter = ["estate", "status"]
    list_select_related = ["estate", "unit"]
    inlines = [HandoverItemInline]


@admin.register(Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = ["id", "estate", "handover", "ticket", "description"]
    list_select_related = ["estate", "ticket"]
