"""Who may do what with resident files (the role matrix, estate.scoping).

- Everyone at the desk who finds residents (front desk, finance, managers, admins) reads the
  files with phones and ID numbers MASKED.
- Only managers and estate admins may show a full number (``residents.reveal``), on a file's
  page, one field at a time, and each time it is logged. The front desk does not: the last four
  digits and the search by full number are enough to serve a caller, and a full number on a
  screen at the counter is the leak the files are judged on.
- Front desk, managers and admins create and edit files; managers and admins import, export
  (always masked), merge duplicates and read the access log.
"""

from estate.models import Role
from estate.scoping import define

VIEW = "residents.view"
EDIT = "residents.edit"
REVEAL = "residents.reveal"
IMPORT = "residents.import"
EXPORT = "residents.export"
MERGE = "residents.merge"
ACCESS_LOG = "residents.access_log"

define(VIEW, {Role.FRONT_DESK, Role.FINANCE, Role.MANAGER, Role.ADMIN})
define(EDIT, {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN})
define(REVEAL, {Role.MANAGER, Role.ADMIN})
define(IMPORT, {Role.MANAGER, Role.ADMIN})
define(EXPORT, {Role.MANAGER, Role.ADMIN})
define(MERGE, {Role.MANAGER, Role.ADMIN})
define(ACCESS_LOG, {Role.MANAGER, Role.ADMIN})
