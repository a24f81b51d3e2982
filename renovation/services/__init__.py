"""Every write of renovation, one transaction each (STYLE.md): import from here.

Applications and their workflow steps in ``applications``; what happens on site (patrols,
violations, acceptance, the deposit's refund) in ``site``."""

from renovation.services.applications import (
    application_create,
    application_transition,
    application_update,
    clean_drawing,
    drawing_add,
    policy_for,
)
from renovation.services.site import (
    ACCEPTANCE_ITEMS,
    acceptance_record,
    application_deposit_refund,
    inspection_record,
    inspections_due_notify,
    violation_close_not_rectified,
    violation_close_rectified,
    violation_deadline_set,
    violation_record,
    violation_report_from_resident,
)
from renovation.services.workers import OPEN_FOR_WORKERS, worker_add, worker_remove

__all__ = [
    "ACCEPTANCE_ITEMS",
    "OPEN_FOR_WORKERS",
    "acceptance_record",
    "application_create",
    "application_deposit_refund",
    "application_transition",
    "application_update",
    "clean_drawing",
    "drawing_add",
    "inspection_record",
    "inspections_due_notify",
    "policy_for",
    "violation_close_not_rectified",
    "violation_close_rectified",
    "violation_deadline_set",
    "violation_record",
    "violation_report_from_resident",
    "worker_add",
    "worker_remove",
]
