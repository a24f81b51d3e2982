"""Top-navigation entries of the resident files."""

from django.utils.translation import gettext_lazy as _

from estate import nav
from residents import permissions as perm

nav.add(_("Residents"), "residents:list", perm.VIEW, order=20)
nav.add(_("Incomplete files"), "residents:incomplete", perm.EDIT, order=21)
nav.add(_("Duplicates"), "residents:duplicates", perm.MERGE, order=22)
nav.add(_("Resident import"), "residents:import", perm.IMPORT, order=23)
nav.add(_("Access log"), "residents:access_log", perm.ACCESS_LOG, order=24)
