"""Who may do what in community (added to the shared role matrix at import time)."""

from estate.models import Role
from estate.scoping import define

DESK = {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN}
MANAGE = {Role.MANAGER, Role.ADMIN}

define("community.view", {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN, Role.FINANCE})
define("community.event.manage", MANAGE)
define("community.signup", DESK)
define("community.announcement.manage", MANAGE)
define("community.survey.manage", MANAGE)
define("community.survey.enter", DESK)
