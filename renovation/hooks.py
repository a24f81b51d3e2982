"""Renovation's reactions to other apps' events (registered in RenovationConfig.ready)."""

from __future__ import annotations

from django.db import transaction

from estate.errors import DomainError
from renovation.models import Application

COMPLAINT_CATEGORY = "renovation"  # repairs' complaint category 装修扰民/违规装修
RESIDENT_REPORT_TYPE = "other"  # the violation type until staff look at it


def violation_from_complaint(ticket) -> None:
    """A resident's complaint about a renovation, logged through the web form for a unit
    being renovated, becomes a violation of that renovation (source ``resident_report``)
    linked to the ticket. Anything that refuses it leaves the ticket alone."""
    from renovation.services import violation_report_from_resident

    if ticket.created_by_id is not None or ticket.unit_id is None:
        return
    if ticket.kind != "complaint" or ticket.category.code != COMPLAINT_CATEGORY:
        return
    app = (
        Application.objects.filter(
            estate_id=ticket.estate_id,
            unit_id=ticket.unit_id,
            status=Application.Status.RENOVATING,
        )
        .order_by("-id")
        .first()
    )
    if app is None:
        return
    try:
        with transaction.atomic():
            violation_report_from_resident(
                application=app,
                type=RESIDENT_REPORT_TYPE,
                description=ticket.description,
                by=None,
                ticket=ticket,
            )
    except DomainError:
        return
