"""Renovation in the Django admin: an estate's rules and types are editable; applications and
what happened on site are read-only, because every change goes through renovation.services."""

from django.contrib import admin

from fees.admin import ReadOnlyAdmin
from renovation.models import (
    Acceptance,
    Application,
    Inspection,
    RenovationPolicy,
    Violation,
    ViolationType,
    WorkType,
)


@admin.register(RenovationPolicy)
class RenovationPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "estate",
        "work_from",
        "work_until",
        "max_days",
        "inspect_every_days",
        "deposit",
    ]


@admin.register(WorkType)
class WorkTypeAdmin(admin.ModelAdmin):
    list_display = ["estate", "code", "name", "routine", "order"]
    list_filter = ["estate", "routine"]


@admin.register(ViolationType)
class ViolationTypeAdmin(admin.ModelAdmin):
    list_display = ["estate", "code", "name", "rectify_days", "order"]
    list_filter = ["estate"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "estate", "unit", "status", "non_routine", "start_date", "end_date"]
    list_filter = ["estate", "status", "non_routine"]
    search_fields = ["number"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["number", "estate", "source", "type", "found_at", "rectify_due_at", "outcome"]
    list_filter = ["estate", "source", "outcome"]
    search_fields = ["number"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "at", "by"]


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["application", "at", "by", "passed"]
