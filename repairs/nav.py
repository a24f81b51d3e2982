"""Top navigation entries of repairs, each shown to the roles that may use the page."""

from django.utils.translation import gettext_lazy as _

from estate import nav
from estate.models import Role
from estate.scoping import define

# Only a technician's navigation leads with "my tickets" (and lands there after login); the
# desk roles may open the page too, but their work starts at the front desk and the queue.
define("repairs.nav.my_tickets", {Role.TECHNICIAN})

nav.add(_("My tickets"), "repairs:mine", "repairs.nav.my_tickets", order=5)
nav.add(_("Log a call"), "repairs:desk", "repairs.ticket.create", order=10)
nav.add(_("Tickets"), "repairs:queue", "repairs.ticket.view", order=12)
nav.add(_("Return-visit sample"), "repairs:samples", "repairs.return_visit", order=14)
nav.add(_("Service settings"), "repairs:categories", "repairs.configure", order=80)


def _overdue_alerts(user, estates) -> list[dict]:
    """Tickets overdue now in the estates where the user acts on them (one query)."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import ngettext

    from estate.scoping import can
    from repairs.models import Ticket, overdue_q

    mine = {e.pk: e for e in estates if can(user, e, "repairs.ticket.dispatch")}
    if not mine:
        return []
    rows = (
        Ticket.objects.filter(overdue_q(timezone.now()), estate_id__in=list(mine))
        .values("estate_id")
        .annotate(n=Count("id"))
        .order_by("estate_id")
    )
    queue = reverse("repairs:queue")
    return [
        {
            "text": ngettext(
                "%(estate)s: %(n)d ticket is overdue now",
                "%(estate)s: %(n)d tickets are overdue now",
                row["n"],
            )
            % {"estate": mine[row["estate_id"]].code, "n": row["n"]},
            "url": f"{queue}?estate={mine[row['estate_id']].code}&overdue=1",
        }
        for row in rows
    ]


nav.add_alert(_overdue_alerts)
