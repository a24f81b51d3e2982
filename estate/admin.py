from django.contrib import admin

from estate.models import (
    AccessLog,
    ApiToken,
    Building,
    Estate,
    KpiSnapshot,
    Membership,
    Notification,
    Unit,
)


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "service_phone"]
    search_fields = ["code", "name"]
    inlines = [BuildingInline]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["estate", "number", "name"]
    list_filter = ["estate"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["number", "estate", "building", "floor_area", "status"]
    list_filter = ["estate", "status"]
    search_fields = ["number"]
    list_select_related = ["estate", "building"]
    raw_id_fields = ["building"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "estate", "role"]
    list_filter = ["estate", "role"]
    search_fields = ["user__username"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from estate.services import api_token_revoke

        for token in queryset:
            api_token_revoke(token=token)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "estate", "object_type", "object_id", "field"]
    list_filter = ["estate", "object_type"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ["estate", "period", "key", "numerator", "denominator", "rate", "computed_at"]
    list_filter = ["estate", "period"]


admin.site.register(Notification)
