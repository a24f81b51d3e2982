"""Admin of the resident files: masked values only; the history and imports are read-only
(changes to a file go through the staff pages or the API, so that they are kept)."""

from django.contrib import admin

from residents.models import ImportJob, Occupancy, Pet, Resident, ResidentChange, Vehicle


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OccupancyInline(admin.TabularInline):
    model = Occupancy
    extra = 0
    raw_id_fields = ["unit"]


class VehicleInline(admin.TabularInline):
    model = Vehicle
    extra = 0


class PetInline(admin.TabularInline):
    model = Pet
    extra = 0


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "estate", "kind", "phone_masked", "id_number_masked", "merged_into"]
    list_filter = ["estate", "kind"]
    search_fields = ["name", "phone_last4"]
    readonly_fields = ["phone_masked", "id_number_masked", "emergency_phone_masked"]
    inlines = [OccupancyInline, VehicleInline, PetInline]


@admin.register(ResidentChange)
class ResidentChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "resident", "by", "kind", "field", "old_value", "new_value"]
    list_filter = ["kind"]
    raw_id_fields = ["resident"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "estate", "by", "filename", "status", "total", "created"]
    list_filter = ["status"]
    exclude = ["rows_enc"]
