"""Who may do what with venues and facilities (added to the shared role matrix at import)."""

from estate.models import Role
from estate.scoping import define

define("facilities.view", {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
define("facilities.book", {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN})
define("facilities.manage", {Role.MANAGER, Role.ADMIN})
