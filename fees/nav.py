"""Top-navigation entries of fees, each shown to the roles that may use it (fees.permissions):
the cashier desk to front desk and finance, the lists to managers too, meter readings to
those who read meters."""

from django.utils.translation import gettext_lazy as _

from estate import nav
from fees import permissions as perm

nav.add(_("Cashier"), "fees:cashier", perm.PAYMENT_RECORD, order=60)
nav.add(_("Day-end"), "fees:day_end", perm.VIEW, order=61)
nav.add(_("Bills"), "fees:bills", perm.VIEW, order=61)
nav.add(_("Arrears"), "fees:arrears", perm.VIEW, order=62)
nav.add(_("Collection"), "fees:overview", perm.VIEW, order=63)
nav.add(_("Meter readings"), "fees:meters", perm.METER_READING_RECORD, order=64)
