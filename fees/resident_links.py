"""What fees gives the resident files (which sit below and never import fees): the unit's
bills on the file's page. Bills belong to units, not to residents, so a merge of two files
moves them with the units and needs no re-pointer here."""

from django.urls import reverse

from estate import scoping
from estate.models import Unit

PANEL_ROWS = 20


def bills_panel(unit_ids: list[int], user) -> dict | None:
    """The latest bills of the file's units, for a role that may read bills."""
    from fees.models import Bill

    estate_id = Unit.objects.filter(pk__in=unit_ids).values_list("estate_id", flat=True).first()
    if estate_id is None or not scoping.can(user, estate_id, "fees.view"):
        return None
    bills = list(
        scoping.for_user(Bill, user)
        .filter(unit_id__in=unit_ids)
        .select_related("unit", "fee_item")
        .order_by("-period_start", "unit__number")[:PANEL_ROWS]
    )
    for b in bills:
        b.url = reverse("fees:account", args=[b.unit_id])
    return {"bills": bills}


def register() -> None:
    from residents.panels import register_panel

    register_panel("bills", bills_panel, "residents/panels/bills.html", order=20)
