"""Who may do what with patrols (added to the shared role matrix at import)."""

from estate.models import Role
from estate.scoping import define

# Walking a round is for the staff member it is planned for (any staff role on tickets);
# planning rounds, editing checklists and the manager's figures are the manager's.
define("patrols.walk", {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
define("patrols.manage", {Role.MANAGER, Role.ADMIN})
