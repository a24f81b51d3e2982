from django.contrib import admin

from estate.assessment.models import TrainingAttendance, TrainingSession


class AttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "estate", "date", "trainer")
    list_filter = ("estate",)
    inlines = [AttendanceInline]
