"""Repairs and complaints (报事报修与投诉): tickets, their service levels, calendar and history.

Data, constraints and indexes only; every workflow lives in ``repairs/services/``. Everything
is importable from ``repairs.models`` (migrations refer to ``repairs.models.photo_path``)."""

from repairs.models.config import (
    RESIDENT_KINDS,
    CalendarDay,
    CalendarYear,
    Category,
    Department,
    Kind,
    Priority,
    ReplyTemplate,
    WorkingHours,
)
from repairs.models.tickets import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    PendingPhoto,
    ReturnVisit,
    ReturnVisitSample,
    ReturnVisitSampleRun,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketTally,
    overdue_candidates_q,
    overdue_q,
    pending_photo_path,
    photo_path,
)

__all__ = [
    "OPEN_STATUSES",
    "RUNNING_STATUSES",
    "CalendarDay",
    "CalendarYear",
    "Category",
    "Department",
    "Kind",
    "PendingPhoto",
    "RESIDENT_KINDS",
    "Priority",
    "ReplyTemplate",
    "ReturnVisit",
    "ReturnVisitSample",
    "ReturnVisitSampleRun",
    "Status",
    "Ticket",
    "TicketEvent",
    "TicketPhoto",
    "TicketTally",
    "WorkingHours",
    "overdue_candidates_q",
    "overdue_q",
    "pending_photo_path",
    "photo_path",
]
