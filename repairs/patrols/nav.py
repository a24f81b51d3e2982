"""The patrols entries of the staff navigation."""

from django.utils.translation import gettext_lazy as _

from estate import nav

nav.add(_("My patrols"), "patrols:mine", "patrols.walk", order=45)
nav.add(_("Patrols"), "patrols:overview", "patrols.manage", order=46)
