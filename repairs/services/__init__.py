"""Everything that can happen to a ticket: logging it, every transition, return visits,
the paid-service charge, overdue flagging and escalation.

Each transition locks the ticket row (``select_for_update``), checks that it is allowed from
the current status (409 ``invalid_transition`` otherwise) and writes one history entry, so of
twenty concurrent "resolve" calls exactly one wins. ``by`` is the staff member acting; ``None``
is the resident (only where a resident may act) or the system. ``now`` defaults to the clock
and exists for imports, demo data and tests.
"""

from repairs.services.charges import ticket_charge_set, ticket_paid_service_bill
from repairs.services.intake import ticket_create, ticket_photo_add
from repairs.services.pending import (
    pending_photos_discard,
    pending_photos_keep,
    pending_photos_purge,
)
from repairs.services.periodic import ticket_tallies_compact, tickets_flag_overdue
from repairs.services.transitions import (
    ticket_accept,
    ticket_cancel,
    ticket_close,
    ticket_dispatch,
    ticket_hold,
    ticket_reopen,
    ticket_resolve,
    ticket_restore,
    ticket_resume,
    ticket_start,
)
from repairs.services.visits import (
    return_visit_record,
    return_visit_sample_create,
    return_visit_samples_create_all,
    ticket_rate_by_resident,
)

__all__ = [
    "pending_photos_discard",
    "pending_photos_keep",
    "pending_photos_purge",
    "return_visit_record",
    "return_visit_sample_create",
    "return_visit_samples_create_all",
    "ticket_accept",
    "ticket_cancel",
    "ticket_charge_set",
    "ticket_close",
    "ticket_create",
    "ticket_dispatch",
    "ticket_hold",
    "ticket_paid_service_bill",
    "ticket_photo_add",
    "ticket_rate_by_resident",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_restore",
    "ticket_resume",
    "ticket_start",
    "ticket_tallies_compact",
    "tickets_flag_overdue",
]
