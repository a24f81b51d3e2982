"""The assessment entry of the staff navigation."""

from django.utils.translation import gettext_lazy as _

from estate import nav

nav.add(_("Assessment"), "assessment:figures", "assessment.view_own", order=85)
