"""The community panel of the manager's dashboard: the next events (not cancelled, starting
from now), with their confirmed sign-ups, one query; each links to its event page."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from community import selectors
from estate import localtime
from estate.dashboard.panels import Line, Panel, Section, register, register_bulletin
from estate.pages import with_query

NEXT_EVENTS = 5


def build(*, estate, now: dt.datetime) -> Panel:
    events = list(
        selectors.events_with_counts(estate=estate, starts_from=now).filter(
            cancelled_at__isnull=True
        )[:NEXT_EVENTS]
    )
    lines = [
        Line(
            f"{localtime.local(e.starts_at, estate):%m-%d %H:%M} {e.title}",
            _("%(n)s signed up") % {"n": e.confirmed_count},
            with_query(reverse("community:event", args=[e.pk]), estate=estate.code),
        )
        for e in events
    ]
    if not lines:
        lines.append(Line(_("No events coming up."), ""))
    return Panel(
        _("Next events"), lines, with_query(reverse("community:events"), estate=estate.code)
    )


register("community", "community.view", build, order=40)


def month_events(*, estate, period):
    """The month's events (started in it, not cancelled) with sign-ups and attendance."""

    events = selectors.events_with_counts(
        estate=estate, starts_from=period.start, starts_to=period.end
    ).filter(cancelled_at__isnull=True)[:10]
    return Section(
        _("Notable events"),
        [_("Date"), _("Event"), _("Confirmed"), _("Attended")],
        [
            [
                f"{localtime.local(e.starts_at, estate):%m-%d}",
                e.title,
                e.confirmed_count,
                e.attended_count,
            ]
            for e in events
        ],
    )


register_bulletin("events", month_events, order=20)
