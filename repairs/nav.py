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
