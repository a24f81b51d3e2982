"""Template filters of the repairs pages."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(minutes, business=False) -> str:
    """A service level in words a person reads at a glance: ``45 min``, ``4 h``,
    ``2 h 30 min``, ``3 d`` (whole days of 24 hours, only around the clock: on business hours
    the minutes are working minutes, shown as working hours), never thousands of minutes."""
    try:
        m = int(minutes)
    except (TypeError, ValueError):
        return ""
    if m < 60:
        return _("%(m)d min") % {"m": m}
    if m % 1440 == 0 and not business:
        return _("%(d)d d") % {"d": m // 1440}
    hours, rest = divmod(m, 60)
    if rest == 0:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
