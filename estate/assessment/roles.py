"""Who sees whose figures. Every staff member sees their own; managers (and company admins,
who act as admins everywhere) see their estate's staff."""

from estate.models import Role
from estate.scoping import ALL_ROLES, define

define("assessment.view_own", ALL_ROLES)
define("assessment.view_staff", {Role.MANAGER, Role.ADMIN})
