"""The facilities entry of the staff navigation."""

from django.utils.translation import gettext_lazy as _

from estate import nav

nav.add(_("Facilities"), "facilities:list", "facilities.view", order=40)
