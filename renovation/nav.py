"""Top navigation entries of renovation, each shown to the roles that may use the page."""

from django.utils.translation import gettext_lazy as _

from estate import nav
from renovation import roles

nav.add(_("Renovation"), "renovation:board", roles.VIEW, order=70)
nav.add(_("Renovation applications"), "renovation:applications", roles.VIEW, order=71)
nav.add(_("Violations"), "renovation:violations", roles.VIEW, order=72)
