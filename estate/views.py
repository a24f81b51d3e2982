"""Staff pages of the estate app: home, the KPI table, the estate switcher, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from estate import kpi, kpi_selectors, nav, scoping, selectors, services, tasks
from estate.errors import DomainError
from estate.middleware import SESSION_KEY
from estate.services import notifications_mark_read


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """``/favicon.ico``, which browsers ask for on their own: the static icon (no 404 in the log)."""
    return HttpResponseRedirect(static("estate/favicon.ico"))


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


def _kpi_estate(request, code, action):
    estate = scoping.estate_by_code(request.user, code) if code else request.estate
    if not estate:
        raise Http404
    scoping.require(request.user, estate, action)
    return estate


@login_required
def kpi_table(request):
    """The rates of one estate for a month, with the previous month beside them; each count
    links to exactly the records the stored figure counted. Says when it was computed, whether
    the month is frozen (and how many records changed since, with each rate's live counts
    beside its frozen ones), offers a recompute."""
    try:
        estate = _kpi_estate(request, request.GET.get("estate"), "kpi.view")
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
    status = kpi_selectors.month_status(estate=estate, period=period.label)
    changes = (
        kpi_selectors.frozen_changes(estate=estate, period=period)
        if status.frozen and current.stored
        else {}
    )
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
                "num_link": kpi.drill_link(metric, estate, period, "numerator", value.snapshot_id),
                "den_link": kpi.drill_link(
                    metric, estate, period, "denominator", value.snapshot_id
                ),
                "change": changes.get(metric.key),
            }
        )
    changed = (
        kpi_selectors.frozen_records_changed(estate=estate, period=period)
        if status.frozen and current.stored
        else None
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
            "status": status,
            "changed_records": changed,
            "log": kpi_selectors.month_log(estate=estate, period=period.label, limit=5),
            "freshness": selectors.rates_freshness(
                period=period, computed_at=current.computed_at, stored=current.stored
            ),
            "error": error,
            "period_input": label,
            "can_recompute": scoping.can(request.user, estate, "kpi.recompute"),
        },
    )


def _back(estate, period_label: str):
    return redirect(f"{reverse('kpi_table')}?estate={estate.code}&period={period_label}")


@login_required
@require_POST
def kpi_recompute(request):
    """The "recompute" button: queue the Huey task for the estate-month (a service); the page
    then shows it running until the new figure is stored."""
    try:
        estate = _kpi_estate(request, request.POST.get("estate"), "kpi.recompute")
    except DomainError:
        return render(request, "estate/forbidden.html", status=403)
    try:
        period = kpi.Period.month(estate.tz, request.POST.get("period", ""))
        services.kpi_recompute_request(estate=estate, period=period, by=request.user)
        # Queued once the mark is committed (immediate mode runs it here and now).
        tasks.recompute_kpi_month(estate.pk, period.label, request.user.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(estate, request.POST.get("period", ""))
    return _back(estate, period.label)


@login_required
def kpi_month_status(request):
    """The month's state as a fragment the rates page polls (htmx) while a recompute runs."""
    try:
        estate = _kpi_estate(request, request.GET.get("estate"), "kpi.view")
        label = request.GET.get("period")
        period = (
            kpi.Period.month(estate.tz, label)
            if label
            else kpi.Period.containing(estate.tz, timezone.now())
        )
    except DomainError:
        raise Http404 from None
    status = kpi_selectors.month_status(estate=estate, period=period.label)
    response = render(
        request,
        "estate/_kpi_status.html",
        {"estate": estate, "period": period, "status": status},
    )
    if not status.recomputing and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # done: reload the page with the new figure
    return response


@login_required
@require_POST
def kpi_unfreeze(request):
    """A manager reopens a frozen month with a reason (logged); it is recomputed at once."""
    try:
        estate = _kpi_estate(request, request.POST.get("estate"), "kpi.recompute")
    except DomainError:
        return render(request, "estate/forbidden.html", status=403)
    label = request.POST.get("period", "")
    try:
        period = kpi.Period.month(estate.tz, label)
        services.kpi_month_unfreeze(
            estate=estate, period=period, by=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(estate, label)


@login_required
@require_POST
def kpi_freeze(request):
    """A manager closes a reopened month again (its figure computed a last time and kept)."""
    try:
        estate = _kpi_estate(request, request.POST.get("estate"), "kpi.recompute")
    except DomainError:
        return render(request, "estate/forbidden.html", status=403)
    label = request.POST.get("period", "")
    try:
        period = kpi.Period.month(estate.tz, label)
        services.kpi_month_freeze(estate=estate, period=period, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(estate, label)


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("notifications")
    items = selectors.notification_list(user=request.user)
    alerts = nav.alerts_for(request.user)
    return render(request, "estate/notifications.html", {"items": items, "alerts": alerts})
