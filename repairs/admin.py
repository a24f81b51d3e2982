"""Admin for repairs: configuration is editable here; tickets are read-mostly (their
workflow goes through repairs.services)."""

from django.contrib import admin

from estate.admin import ReadOnlyAdmin
from repairs.models import (
    CalendarDay,
    CalendarYear,
    Category,
    Department,
    ReplyTemplate,
    ReturnVisit,
    ReturnVisitSample,
    ReturnVisitSampleRun,
    Ticket,
    TicketEvent,
    TicketPhoto,
    WorkingHours,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "estate",
        "kind",
        "code",
        "business_hours",
        "response_minutes_normal",
        "resolve_minutes_normal",
        "active",
    ]
    list_filter = ["estate", "kind", "active"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "estate", "code", "active"]
    list_filter = ["estate"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = [
        "estate",
        "weekday",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
    ]
    list_filter = ["estate"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "estate", "kind", "name", "source"]
    list_filter = ["estate", "kind", "source"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "estate", "source", "provisional", "imported_at"]
    list_filter = ["estate", "source"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_status", "to_status", "by", "by_name", "at", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class ReturnVisitInline(admin.TabularInline):
    model = ReturnVisit
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "by",
        "by_name",
        "by_resident",
        "reached",
        "solved",
        "rating",
        "comment",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class TicketPhotoInline(admin.TabularInline):
    model = TicketPhoto
    extra = 0
    can_delete = False
    readonly_fields = ["image", "width", "height", "uploaded_at"]
    fields = readonly_fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "estate",
        "kind",
        "category",
        "priority",
        "status",
        "reported_at",
        "resolve_due_at",
        "is_overdue",
        "reporter_phone_masked",
    ]
    list_filter = ["estate", "kind", "status", "priority", "is_overdue"]
    search_fields = ["number", "reporter_name"]
    date_hierarchy = "reported_at"
    list_select_related = ["estate", "category"]
    raw_id_fields = ["unit", "resident", "assignee", "category", "department", "created_by"]
    readonly_fields = [
        f.name
        for f in Ticket._meta.concrete_fields
        if f.name not in ("description", "common_area", "preferred_visit_time")
    ]
    inlines = [TicketEventInline, ReturnVisitInline, TicketPhotoInline]

    def has_add_permission(self, request):
        return False  # tickets are logged through the front desk (repairs.services)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "from_status", "to_status", "by", "at"]
    list_filter = ["estate", "kind"]
    raw_id_fields = ["ticket", "by"]


@admin.register(TicketPhoto)
class TicketPhotoAdmin(admin.ModelAdmin):
    list_display = ["ticket", "image", "width", "height", "uploaded_at"]
    raw_id_fields = ["ticket"]


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "at", "by", "by_resident", "reached", "solved", "rating"]
    list_filter = ["estate", "reached", "by_resident"]
    raw_id_fields = ["ticket", "by"]


class ReturnVisitSampleInline(admin.TabularInline):
    model = ReturnVisitSample
    extra = 0
    raw_id_fields = ["ticket", "visit"]


@admin.register(ReturnVisitSampleRun)
class ReturnVisitSampleRunAdmin(admin.ModelAdmin):
    list_display = ["estate", "period", "population", "created_at"]
    list_filter = ["estate"]
    inlines = [ReturnVisitSampleInline]


@admin.register(ReturnVisitSample)
class ReturnVisitSampleAdmin(admin.ModelAdmin):
    list_display = ["run", "ticket", "visit"]
    raw_id_fields = ["run", "ticket", "visit"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "estate", "situation", "sort", "active"]
    list_filter = ["estate", "situation", "active"]
