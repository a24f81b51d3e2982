"""Renovation (装修管理): each estate's rules and work types, applications with their drawings,
patrols (巡查), violations (违章) with deadlines, and the final acceptance (验收).

What the database keeps true (CheckConstraint), whatever writes:

- an application ends on or after it starts; it has at least one worker;
- a violation is closed (``closed_at``) exactly when it has an ``outcome``; it has
  ``rectified_at`` exactly when the outcome is ``rectified``; money is withheld (``penalty``)
  only from a violation closed as not rectified, never negative;
- a violation's deadline is not before it was found.

The deposit itself is a fees bill (``fees.Bill`` of kind ``renovation_deposit``), paid and
refunded through fees.services, so the unit's ledger is the one fees keeps.
"""

from renovation.models.policy import RenovationPolicy, ViolationType, WorkType
from renovation.models.records import (
    ACTION_LABELS,
    Acceptance,
    Application,
    ApplicationEvent,
    Drawing,
    Inspection,
    Violation,
    Worker,
)

__all__ = [
    "ACTION_LABELS",
    "Acceptance",
    "Application",
    "ApplicationEvent",
    "Drawing",
    "Inspection",
    "RenovationPolicy",
    "Violation",
    "ViolationType",
    "WorkType",
    "Worker",
]
