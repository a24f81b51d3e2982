"""The navigation bar: apps add their entries; each shows only to roles that may use it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estate import scoping


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str
    order: int = 50


_items: list[NavItem] = []


def add(label, url_name: str, action: str, order: int = 50) -> None:
    if all(i.url_name != url_name for i in _items):
        _items.append(NavItem(label, url_name, action, order))


def items_for(user, estate) -> list[dict]:
    if estate is None:
        return []
    return [
        {"label": item.label, "url": reverse(item.url_name)}
        for item in sorted(_items, key=lambda i: i.order)
        if scoping.can(user, estate, item.action)
    ]


add(_("Rates"), "kpi_table", "kpi.view", order=90)
add(_("Dashboard"), "dashboard:dashboard", "kpi.targets", order=88)


# Standing alerts at the top of the notifications page (e.g. tickets overdue right now), so
# that the list is never silently empty while something waits: apps add a function
# ``(user, estates) -> [{"text", "url"}]`` asking one query for all the user's estates.
_alerts: list = []


def add_alert(fn) -> None:
    if fn not in _alerts:
        _alerts.append(fn)


def alerts_for(user) -> list[dict]:
    estates = list(scoping.estates_for(user))
    return [alert for fn in _alerts for alert in fn(user, estates)]
