"""Staff pages of repairs: the work queue (also the drill-down behind every ticket rate)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from estate import kpi, scoping
from estate.errors import DomainError
from repairs import selectors


def _flag(value: str | None) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get((value or "").lower())


@login_required
def queue(request):
    """Tickets of the current estate, filtered; with ``metric`` and ``part``, exactly the
    tickets behind one rate's numerator or denominator for ``period``."""
    code = request.GET.get("estate")
    estate = scoping.estate_by_code(request.user, code) if code else request.estate
    if not estate:
        raise Http404
    if not scoping.can(request.user, estate, "repairs.ticket.view"):
        return render(request, "estate/forbidden.html", status=403)
    g = request.GET
    error = None
    try:
        if g.get("metric"):
            period = kpi.Period.month(estate.tz, g.get("period", ""))
            qs = selectors.metric_tickets(
                estate=estate, period=period, key=g["metric"], part=g.get("part", "denominator")
            ).select_related("estate", "category", "unit", "assignee", "department")
            qs = qs.order_by("-reported_at", "-id")
        else:
            qs = selectors.ticket_list(
                user=request.user,
                estate=estate,
                kind=g.get("kind") or None,
                status=g.get("status") or None,
                overdue=_flag(g.get("overdue")),
                category=g.get("category") or None,
                q=g.get("q") or None,
            )
    except DomainError as exc:
        error, qs = exc.message, selectors.ticket_list(user=request.user, estate=estate).none()
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request,
        "repairs/queue.html",
        {"estate": estate, "page": page, "now": timezone.now(), "error": error},
    )
