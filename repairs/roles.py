"""Who may do what with tickets (added to the shared role matrix at import time)."""

from estate.models import Role
from estate.scoping import define

STAFF_ON_TICKETS = {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}
DESK = {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN}
# Roles that see and change only the tickets dispatched to them (lists, pages, transitions).
OWN_WORK_ONLY = {Role.TECHNICIAN}

define("repairs.ticket.view", STAFF_ON_TICKETS)
define("repairs.ticket.create", DESK)
define("repairs.ticket.dispatch", DESK)
define("repairs.ticket.work", STAFF_ON_TICKETS)
define("repairs.ticket.close", DESK)
define("repairs.ticket.cancel", DESK)
define("repairs.ticket.reopen", DESK)
# Undo a cancellation made by mistake (the ticket comes back into every rate).
define("repairs.ticket.restore", {Role.MANAGER, Role.ADMIN})
define("repairs.ticket.charge", DESK)
define("repairs.return_visit", DESK)
define("repairs.configure", {Role.MANAGER, Role.ADMIN})
