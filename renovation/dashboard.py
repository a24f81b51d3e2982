"""The renovation panel of the manager's dashboard: units renovating, those with open
violations, and violations open and overdue now (one aggregate query each); each line links
to the board or the violations list filtered to exactly what it counts."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from estate.dashboard.panels import Line, Panel, register
from estate.pages import with_query
from renovation import roles
from renovation.models import Application, Violation

S = Application.Status


def build(*, estate, now: dt.datetime) -> Panel:
    apps = Application.objects.filter(estate=estate, status=S.RENOVATING).aggregate(
        renovating=Count("id", distinct=True),
        with_open=Count(
            "id",
            filter=Q(violations__closed_at__isnull=True, violations__isnull=False),
            distinct=True,
        ),
    )
    open_q = Q(closed_at__isnull=True)
    violations = Violation.objects.filter(estate=estate).aggregate(
        open=Count("id", filter=open_q),
        overdue=Count("id", filter=open_q & Q(rectify_due_at__lt=now)),
    )
    board = with_query(reverse("renovation:board"), estate=estate.code)
    listing = reverse("renovation:violations")
    lines = [
        Line(
            _("Units renovating"),
            apps["renovating"],
            with_query(reverse("renovation:board"), estate=estate.code, status=S.RENOVATING),
        ),
        Line(
            _("Renovating units with open violations"),
            apps["with_open"],
            with_query(
                reverse("renovation:board"),
                estate=estate.code,
                status=S.RENOVATING,
                violations="open",
            ),
        ),
        Line(
            _("Open violations"),
            violations["open"],
            with_query(listing, estate=estate.code, state="open"),
        ),
        Line(
            _("Violations past their rectification deadline"),
            violations["overdue"],
            with_query(listing, estate=estate.code, state="overdue"),
            warn=violations["overdue"] > 0,
        ),
    ]
    return Panel(_("Renovation"), lines, board)


register("renovation", roles.VIEW, build, order=30)
