"""The five ticket rates of KPI.md, for repairs and for complaints: ten metrics, one query.

The conditions are ``selectors.rate_parts`` and the cohort is ``selectors.ticket_cohort``, the
same ones the drill-down lists, so the tickets a manager sees are exactly those counted."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from estate.kpi import Metric, Period, Ratio, register_group
from repairs import selectors
from repairs.models import Ticket

NAMES = {
    "response_timely_rate": ("响应及时率", "Response timeliness rate"),
    "timely_rate": ("处理及时率", "Resolution timeliness rate"),
    "success_rate": ("处理成功率", "Success rate"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "return_visit_rate": ("回访率", "Return-visit rate"),
}
KINDS = {"repairs": ("报修", "Repairs: "), "complaints": ("投诉", "Complaints: ")}


def link(key: str):
    """The work-queue page listing the tickets behind a rate's numerator or denominator."""

    def make(estate, period: Period, part: str) -> str:
        query = {"estate": estate.code, "period": period.label, "metric": key, "part": part}
        return f"{reverse('repairs:queue')}?{urlencode(query)}"

    return make


def compute(*, estate, period: Period) -> dict[str, Ratio]:
    """Every ticket rate of one estate and period in one aggregate query over both cohorts."""
    parts = selectors.rate_parts(period.now)
    base = Ticket.objects.filter(
        estate=estate, reported_at__gte=period.start, reported_at__lt=period.end
    ).exclude(status=Ticket.Status.CANCELLED)
    aggregates = {}
    for prefix, kind in selectors.KIND_PREFIX.items():
        of_kind = Q(kind=kind)
        for name, (num, den) in parts.items():
            aggregates[f"{prefix}.{name}:n"] = Count("id", filter=of_kind & den & num)
            aggregates[f"{prefix}.{name}:d"] = Count("id", filter=of_kind & den)
    row = base.aggregate(**aggregates)
    return {
        f"{prefix}.{name}": Ratio(row[f"{prefix}.{name}:n"], row[f"{prefix}.{name}:d"])
        for prefix in selectors.KIND_PREFIX
        for name in parts
    }


register_group(
    [
        Metric(
            key=f"{prefix}.{name}",
            label_zh=f"{KINDS[prefix][0]}{zh}",
            label_en=f"{KINDS[prefix][1]}{en.lower()}",
            link=link(f"{prefix}.{name}"),
        )
        for prefix in KINDS
        for name, (zh, en) in NAMES.items()
    ],
    compute,
)
