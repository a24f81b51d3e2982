"""Who may do what with handovers (added to the shared role matrix at import time)."""

from estate.models import Role
from estate.scoping import define

VIEW = "movein.view"
MANAGE = "movein.manage"
CONFIGURE = "movein.configure"

define(VIEW, {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
# Booking, walking the checklist, recording defects (they become tickets: the desk's roles).
define(MANAGE, {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN})
define(CONFIGURE, {Role.MANAGER, Role.ADMIN})
