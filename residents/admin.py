from django.contrib import admin

from residents.models import Occupancy, Resident


class OccupancyInline(admin.TabularInline):
    model = Occupancy
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "estate", "kind", "phone_masked", "id_number_masked"]
    list_filter = ["estate", "kind"]
    search_fields = ["name", "phone_last4"]
    inlines = [OccupancyInline]
