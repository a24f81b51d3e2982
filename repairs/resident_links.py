"""What repairs gives the resident files (which sit below and never import repairs): the
unit's tickets on the file's page, and moving tickets when two files are merged."""

from django.urls import reverse

from estate import scoping
from estate.models import Unit

PANEL_ROWS = 20


def tickets_panel(unit_ids: list[int], user) -> dict | None:
    """The latest tickets of the file's units, for a role that may read tickets."""
    from repairs.models import Ticket

    estate_id = Unit.objects.filter(pk__in=unit_ids).values_list("estate_id", flat=True).first()
    if estate_id is None or not scoping.can(user, estate_id, "repairs.ticket.view"):
        return None
    tickets = list(
        scoping.for_user(Ticket, user)
        .filter(unit_id__in=unit_ids)
        .select_related("unit", "category")
        .order_by("-reported_at")[:PANEL_ROWS]
    )
    for t in tickets:
        t.url = reverse("repairs:ticket_detail", args=[t.pk])
    return {"tickets": tickets}


def move_tickets(from_resident_id: int, to_resident_id: int) -> int:
    from repairs.models import Ticket

    return Ticket.objects.filter(resident_id=from_resident_id).update(resident_id=to_resident_id)


def register() -> None:
    from residents.merge_hooks import register_merge_hook
    from residents.panels import register_panel

    register_panel("tickets", tickets_panel, "residents/panels/tickets.html", order=10)
    register_merge_hook("tickets", move_tickets)
