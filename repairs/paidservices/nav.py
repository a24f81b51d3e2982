"""The paid-services entry of the staff navigation."""

from django.utils.translation import gettext_lazy as _

from estate import nav

nav.add(_("Paid services"), "paidservices:orders", "paidservices.order", order=16)
