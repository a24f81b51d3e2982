"""Who may do what with special paid services (added to the shared role matrix at import)."""

from estate.models import Role
from estate.scoping import define

define("paidservices.order", {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN})
define("paidservices.manage", {Role.MANAGER, Role.ADMIN})
