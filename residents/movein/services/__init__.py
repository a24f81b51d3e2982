"""Every write of the move-in handover: keyword-only functions, one transaction each.

Lock order, everywhere: the day's counter row, then the slot's, then the handover, then the
unit and the resident (completion). Counter rows are created with ``ON CONFLICT DO NOTHING``
and then locked, so concurrent bookings of one slot queue on one row."""

from residents.movein.services.bookings import (
    booking_reminders_send,
    calendar_install_defaults,
    handover_book,
    handover_cancel,
    slot_save,
)
from residents.movein.services.handover import (
    after_sales_category,
    defect_add,
    handover_complete,
    handover_rate,
    handover_start,
    item_update,
)

__all__ = [
    "after_sales_category",
    "booking_reminders_send",
    "calendar_install_defaults",
    "defect_add",
    "handover_book",
    "handover_cancel",
    "handover_complete",
    "handover_rate",
    "handover_start",
    "item_update",
    "slot_save",
]
