"""The fees panel of the manager's dashboard: money overdue today, by age, with the units and
bills behind it (one aggregate query, ``selectors.arrears_ageing``); each line links to the
arrears list filtered to the same age."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from estate import localtime
from estate.dashboard.panels import Line, Panel, register
from estate.pages import with_query
from fees import permissions as perm
from fees import selectors
from fees.forms import BUCKET_LABELS
from fees.selectors.arrears import AGE_BUCKETS


def _yuan(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def build(*, estate, now: dt.datetime) -> Panel:
    today = localtime.today(estate, now=now)
    ageing = selectors.arrears_ageing(estate=estate, today=today)
    url = reverse("fees:arrears")
    lines = [
        Line(
            _("Arrears total (CNY)"),
            _yuan(ageing["total"]),
            with_query(url, estate=estate.code),
            warn=ageing["total"] > 0,
        ),
        Line(_("Units in arrears"), ageing["units"], with_query(url, estate=estate.code)),
    ]
    for key, _low, _high in AGE_BUCKETS:
        lines.append(
            Line(
                _("Overdue %(age)s (CNY)") % {"age": BUCKET_LABELS[key]},
                _yuan(ageing[key]),
                with_query(url, estate=estate.code, bucket=key),
            )
        )
    return Panel(_("Arrears"), lines, with_query(url, estate=estate.code))


register("fees", perm.VIEW, build, order=20)
