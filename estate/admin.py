from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from estate.models import (
    AccessLog,
    ApiToken,
    Building,
    Estate,
    KpiSnapshot,
    Membership,
    Notification,
    Sequence,
    Unit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money and audit records: written by the services only, never added, edited or deleted
    here (a correction is a new record: a reversal, a void, a history entry)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProtectedDeleteAdmin(admin.ModelAdmin):
    """Deleting a record that money or audit records depend on is refused (their foreign keys
    are PROTECT, estate/integrity.py): the delete page says so at the top and lists them."""

    def render_delete_form(self, request, context):
        protected = context.get("protected") or []
        if protected:
            shown = ", ".join(str(p) for p in protected[:5])
            more = len(protected) - 5
            messages.error(
                request,
                _(
                    "%(kind)s “%(object)s” cannot be deleted: %(count)d money or audit "
                    "record(s) depend on it and are never deleted (%(shown)s%(more)s)."
                )
                % {
                    "kind": capfirst(str(context.get("object_name", ""))),
                    "object": context.get("object"),
                    "count": len(protected),
                    "shown": shown,
                    "more": _(" and %(n)d more") % {"n": more} if more > 0 else "",
                },
            )
        return super().render_delete_form(request, context)


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Estate)
class EstateAdmin(ProtectedDeleteAdmin):
    list_display = ["code", "name", "timezone", "service_phone"]
    search_fields = ["code", "name"]
    inlines = [BuildingInline]


@admin.register(Building)
class BuildingAdmin(ProtectedDeleteAdmin):
    list_display = ["estate", "number", "name"]
    list_filter = ["estate"]


@admin.register(Unit)
class UnitAdmin(ProtectedDeleteAdmin):
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
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "user_name", "estate", "object_type", "object_id", "field"]
    list_filter = ["estate", "object_type"]


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ["estate", "period", "key", "numerator", "denominator", "rate", "computed_at"]
    list_filter = ["estate", "period"]


admin.site.register(Notification)


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ["estate", "name", "value"]
    list_filter = ["estate"]
    search_fields = ["name"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(ProtectedDeleteAdmin, UserAdmin):
    """Django's user admin; a user's money and history records keep their name when the user
    is deleted (estate/integrity.py), anything that still blocks is named."""
