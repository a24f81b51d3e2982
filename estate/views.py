"""Staff pages of the estate app: home, the KPI table, the estate switcher, notifications."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from estate import kpi, nav, scoping, selectors
from estate.errors import DomainError
from estate.middleware import SESSION_KEY
from estate.services import kpi_snapshot_compute, notifications_mark_read


@login_required
def home(request):
    estate = request.estate
    if not estate:
        return render(request, "estate/no_estate.html")
    items = nav.items_for(request.user, estate)
    if items:
        return redirect(items[0]["url"])
    return render(request, "estate/no_estate.html")


@login_required
@require_POST
def switch_estate(request):
    try:
        estate_id = int(request.POST.get("estate", ""))
    except ValueError:
        raise Http404 from None
    estate = scoping.estates_for(request.user).filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    request.session[SESSION_KEY] = estate.pk
    nxt = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = reverse("home")
    return HttpResponseRedirect(nxt)


@login_required
def kpi_table(request):
    """The rates of one estate for a month, with the previous month beside them."""
    code = request.GET.get("estate")
    estate = scoping.estate_by_code(request.user, code) if code else request.estate
    if not estate:
        raise Http404
    try:
        scoping.require(request.user, estate, "kpi.view")
    except DomainError:
        return render(request, "estate/forbidden.html", status=403)
    label = request.GET.get("period") or ""
    error = None
    try:
        period = (
            kpi.Period.month(estate.tz, label)
            if label
            else kpi.Period.containing(estate.tz, timezone.now())
        )
    except DomainError as exc:
        error = exc.message
        period = kpi.Period.containing(estate.tz, timezone.now())
    previous = period.previous()
    current, before = selectors.kpi_tables(estate=estate, periods=[period, previous])
    table = []
    for value, prev in zip(current.values, before.values, strict=True):
        metric = value.metric
        table.append(
            {
                "metric": metric,
                "label": metric.label,
                "section": kpi.section_label(metric.key),
                "ratio": value.ratio,
                "num": metric.fmt(value.ratio.numerator),
                "den": metric.fmt(value.ratio.denominator),
                "prev": prev.ratio,
                "num_link": metric.link(estate, period, "numerator") if metric.link else None,
                "den_link": metric.link(estate, period, "denominator") if metric.link else None,
            }
        )
    return render(
        request,
        "estate/kpi_table.html",
        {
            "estate": estate,
            "period": period,
            "previous": previous,
            "next": period.next(),
            "rows": table,
            "computed_at": current.computed_at,
            "stored": current.stored,
            "freshness": selectors.rates_freshness(
                period=period, computed_at=current.computed_at, stored=current.stored
            ),
            "error": error,
            "period_input": label,
            "can_recompute": scoping.can(request.user, estate, "kpi.recompute"),
        },
    )


@login_required
@require_POST
def kpi_recompute(request):
    """The "recompute now" button: store a new snapshot of the month (a service, a POST)."""
    estate = scoping.estate_by_code(request.user, request.POST.get("estate"))
    try:
        scoping.require(request.user, estate, "kpi.recompute")
    except DomainError:
        return render(request, "estate/forbidden.html", status=403)
    period = kpi.Period.month(estate.tz, request.POST.get("period", ""))
    kpi_snapshot_compute(estate=estate, period=period)
    return redirect(f"{reverse('kpi_table')}?estate={estate.code}&period={period.label}")


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("notifications")
    items = selectors.notification_list(user=request.user)
    return render(request, "estate/notifications.html", {"items": items})
