"""Top-navigation entries of the move-in handover."""

from django.utils.translation import gettext_lazy as _

from estate import nav
from residents.movein import roles

nav.add(_("Move-in"), "movein:calendar", roles.VIEW, order=40)
nav.add(_("Handovers"), "movein:list", roles.VIEW, order=41)
