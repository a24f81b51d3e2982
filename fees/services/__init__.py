"""Every write of the fees app, one transaction each (STYLE.md): import from here.

Money moves in ``payments``, bill making in ``billing``, fee items and prices in
``catalogue``, meter readings in ``meters``, reminders in ``arrears``, the shared ledger steps
in ``ledger``."""

from fees.services.arrears import reminder_record, reminders_due_notify
from fees.services.billing import bills_generate, bills_generate_due
from fees.services.catalogue import fee_assignment_set, fee_item_create, fee_price_set
from fees.services.meters import ImportResult, meter_reading_record, meter_readings_import
from fees.services.payments import (
    bill_one_off_create,
    bill_void,
    credit_apply,
    deposit_refund,
    payment_record,
    payment_reverse,
)

__all__ = [
    "ImportResult",
    "bill_one_off_create",
    "bill_void",
    "bills_generate",
    "bills_generate_due",
    "credit_apply",
    "deposit_refund",
    "fee_assignment_set",
    "fee_item_create",
    "fee_price_set",
    "meter_reading_record",
    "meter_readings_import",
    "payment_record",
    "payment_reverse",
    "reminder_record",
    "reminders_due_notify",
]
