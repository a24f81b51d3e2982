from django.contrib import admin

from community.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "estate", "publish_at", "expire_at"]
    list_filter = ["estate"]
    search_fields = ["title"]
