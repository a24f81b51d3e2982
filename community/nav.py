"""Top navigation entries of community, each shown to the roles that may use the page."""

from django.utils.translation import gettext_lazy as _

from estate import nav

nav.add(_("Events"), "community:events", "community.view", order=60)
nav.add(_("Announcements"), "community:announcements", "community.view", order=62)
nav.add(_("Surveys"), "community:surveys", "community.view", order=64)
nav.add(_("Satisfaction calls"), "community:calls", "community.survey.enter", order=66)
