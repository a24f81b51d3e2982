"""Fees in the Django admin: reference data is editable; money records are read-only, because
every change to them goes through fees.services (a reversal, a void), never an edit."""

from django.contrib import admin

from estate.admin import ReadOnlyAdmin
from fees.models import (
    Allocation,
    Bill,
    BillingRun,
    DepositRefund,
    FeeAssignment,
    FeeItem,
    FeePrice,
    FinanceSettings,
    MeterReading,
    Payment,
    Reminder,
    Reversal,
    UnitAccount,
)


class FeePriceInline(admin.TabularInline):
    model = FeePrice
    extra = 0
    fields = ["price", "valid_from", "valid_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "estate", "basis", "cycle", "due_day", "is_active"]
    list_filter = ["estate", "basis", "cycle", "is_active"]
    search_fields = ["code", "name"]
    inlines = [FeePriceInline]


@admin.register(FeePrice)
class FeePriceAdmin(ReadOnlyAdmin):
    list_display = ["fee_item", "price", "valid_from", "valid_to"]
    list_filter = ["estate"]


@admin.register(FeeAssignment)
class FeeAssignmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "fee_item", "quantity", "starts_on", "ends_on"]
    list_filter = ["estate"]
    raw_id_fields = ["unit", "fee_item"]


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "fee_item", "period", "previous", "reading", "read_at"]
    list_filter = ["estate", "period"]


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ["estate", "period", "started_at", "finished_at", "bills_created"]
    list_filter = ["estate"]


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "unit",
        "fee_item",
        "period",
        "amount_due",
        "amount_paid",
        "due_date",
        "voided_at",
    ]
    list_filter = ["estate", "period", "fee_item__basis"]
    search_fields = ["number", "unit__number", "source_ref"]
    list_select_related = ["unit", "fee_item"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "amount", "method", "payer", "received_at"]
    list_filter = ["estate", "method"]
    search_fields = ["number", "unit__number", "reference", "payer"]
    list_select_related = ["unit"]


@admin.register(Reversal)
class ReversalAdmin(ReadOnlyAdmin):
    list_display = ["number", "payment", "reason", "created_at"]
    list_filter = ["estate"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "bill", "amount", "at", "reversal"]
    list_filter = ["estate"]
    list_select_related = ["payment", "bill", "reversal"]


@admin.register(UnitAccount)
class UnitAccountAdmin(ReadOnlyAdmin):
    list_display = ["unit", "estate", "credit", "updated_at"]
    list_filter = ["estate"]


@admin.register(DepositRefund)
class DepositRefundAdmin(ReadOnlyAdmin):
    list_display = ["bill", "amount", "penalty", "reason", "created_at"]
    list_filter = ["estate"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["unit", "at", "channel", "promised_date", "created_by"]
    list_filter = ["estate", "channel"]


@admin.register(FinanceSettings)
class FinanceSettingsAdmin(admin.ModelAdmin):
    list_display = ["estate", "company_name", "receipt_copies", "books_open_on"]
    list_filter = ["estate"]
