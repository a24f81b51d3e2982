"""The manager's pages: the dashboard of an estate, the company view (estates ranked), the
explanation of every rate, the targets, the KPI table export and the monthly bulletins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import exports, kpi, kpi_selectors, scoping
from estate.dashboard import panels, selectors, services
from estate.dashboard.explain import EXPLANATIONS
from estate.dashboard.svg import trend_svg
from estate.errors import DomainError
from estate.models import Bulletin, Estate
from estate.pages import estate_page, forbidden, pdf_response, with_query

MAX_EXPORT_MONTHS = 36


def _period(request, estate_or_tz, name: str = "period") -> tuple[kpi.Period, str | None]:
    tz = estate_or_tz.tz if isinstance(estate_or_tz, Estate) else estate_or_tz
    label = request.GET.get(name) or ""
    if label:
        try:
            return kpi.Period.month(tz, label), None
        except DomainError as exc:
            error = exc.message
    else:
        error = None
    return kpi.Period.containing(tz, timezone.now()), error


def _sections(rows) -> list[tuple[str, list]]:
    out: list[tuple[str, list]] = []
    for row in rows:
        if not out or out[-1][0] != row.section:
            out.append((row.section, []))
        out[-1][1].append(row)
    return out


@estate_page("kpi.view")
def dashboard(request, estate):
    """Every rate of the estate for a month, by duty: the figure against its target, its
    counts (each a link to the records), the change on the previous month and on the same month
    a year before, the 12-month line; then what needs doing now. Like the rates page it says
    whether the month is frozen and, if so, how many records changed since. A fixed number of
    queries."""
    period, error = _period(request, estate)
    board = selectors.dashboard(estate=estate, period=period)
    status = kpi_selectors.month_status(estate=estate, period=period.label)
    changed = (
        kpi_selectors.frozen_records_changed(estate=estate, period=period)
        if status.frozen and board.computed_at
        else None
    )
    for row in board.rows:
        row.svg = trend_svg(
            row.trend,
            target=row.target.target if row.target else None,
            label=_("%(rate)s, the 12 months to %(month)s")
            % {"rate": row.label, "month": period.label},
        )
    return render(
        request,
        "estate/dashboard/dashboard.html",
        {
            "estate": estate,
            "board": board,
            "sections": _sections(board.rows),
            "period": period,
            "next": period.next(),
            "error": error,
            "status": status,
            "changed_records": changed,
            "panels": panels.panels_for(user=request.user, estate=estate, now=timezone.now()),
            "can_recompute": scoping.can(request.user, estate, "kpi.recompute"),
            "can_targets": scoping.can(request.user, estate, "kpi.targets"),
            "can_bulletin": scoping.can(request.user, estate, "kpi.bulletin"),
        },
    )


def _visible_estates(user) -> list[Estate]:
    """The estates whose rates the user may read, by code."""
    return [
        e for e in scoping.estates_for(user).order_by("code") if scoping.can(user, e, "kpi.view")
    ]


@login_required
def company(request):
    """The estates the user may see, ranked on each rate, with the company total (the sums of
    numerators over the sums of denominators)."""
    estates = _visible_estates(request.user)
    if not estates:
        return forbidden(request)
    period, error = _period(request, timezone.get_default_timezone())
    rankings = selectors.ranking(estates=estates, period_label=period.label)
    return render(
        request,
        "estate/dashboard/company.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "error": error,
            "rankings": rankings,
            "sections": _sections(rankings),
            "estates": estates,
        },
    )


@login_required
def explain(request):
    """Every rate in plain words (what is counted, which date puts a record in a month, what
    "on time" means), in the page's language."""
    rows = [
        {"metric": m, "section": kpi.section_label(m.key), "text": EXPLANATIONS.get(m.key)}
        for m in kpi.metrics()
    ]
    return render(request, "estate/dashboard/explain.html", {"sections": _sections_of_dicts(rows)})


def _sections_of_dicts(rows):
    out: list[tuple[str, list]] = []
    for row in rows:
        if not out or out[-1][0] != row["section"]:
            out.append((row["section"], []))
        out[-1][1].append(row)
    return out


@estate_page("kpi.view")
def targets(request, estate):
    """The target of every rate: the company default and the estate's own; a manager sets or
    clears the estate's, a company admin the defaults."""
    can_edit = scoping.can(request.user, estate, "kpi.targets")
    can_default = scoping.is_company_admin(request.user)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        key = request.POST.get("key", "")
        scope = request.POST.get("scope", "estate")
        target_estate = None if scope == "company" else estate
        try:
            if request.POST.get("clear"):
                services.kpi_target_clear(user=request.user, estate=target_estate, key=key)
            else:
                services.kpi_target_set(
                    user=request.user,
                    estate=target_estate,
                    key=key,
                    target=request.POST.get("target", ""),
                )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            errors[f"{scope}:{key}"] = exc.message
            values[f"{scope}:{key}"] = request.POST.get("target", "")
        else:
            messages.success(request, _("Target saved."))
            return redirect(with_query(reverse("dashboard:targets"), estate=estate.code))
    rows = selectors.target_list(estate=estate)
    for row in rows:
        key = row["metric"].key
        row["error"] = errors.get(f"estate:{key}")
        row["value"] = values.get(f"estate:{key}")
        row["default_error"] = errors.get(f"company:{key}")
        row["default_value"] = values.get(f"company:{key}")
    return render(
        request,
        "estate/dashboard/targets.html",
        {
            "estate": estate,
            "sections": _sections_of_dicts(rows),
            "can_edit": can_edit,
            "can_default": can_default,
        },
        status=400 if errors else 200,
    )


def _month_range(request, tz) -> list[str]:
    """The months from ``from`` to ``to`` (both YYYY-MM, inclusive), at most 36."""
    now = timezone.now()
    current = kpi.Period.containing(tz, now)
    start = kpi.Period.month(tz, request.GET.get("from") or current.label)
    end = kpi.Period.month(tz, request.GET.get("to") or start.label)
    if end.start < start.start:
        raise DomainError("invalid", _("'to' must not be before 'from'."), field="to")
    labels = [start]
    while labels[-1].label != end.label:
        if len(labels) >= MAX_EXPORT_MONTHS:
            raise DomainError(
                "invalid", _("At most %(n)s months at once.") % {"n": MAX_EXPORT_MONTHS}, field="to"
            )
        labels.append(labels[-1].next())
    return [p.label for p in labels]


def _kpi_export(request, fmt: str):
    """The KPI table of one estate (``?estate=``) or of every estate the user may see
    (``?scope=all``), for a range of months; one row per estate, month and rate."""
    if request.GET.get("scope") == "all":
        estates = _visible_estates(request.user)
        if not estates:
            return forbidden(request)
        tz = timezone.get_default_timezone()
        stem = "kpis-all"
    else:
        code = request.GET.get("estate")
        estate = scoping.estate_by_code(request.user, code) if code else request.estate
        if estate is None:
            raise Http404
        if not scoping.can(request.user, estate, "kpi.view"):
            return forbidden(request)
        estates, tz, stem = [estate], estate.tz, f"{estate.code}-kpis"
    try:
        labels = _month_range(request, tz)
    except DomainError as exc:
        return HttpResponse(f"{exc.field}: {exc.message}", status=400, content_type="text/plain")
    header = [
        _("Estate"),
        _("Month"),
        _("Duty"),
        _("Rate"),
        _("Key"),
        _("Numerator"),
        _("Denominator"),
        _("Rate value"),
        _("Target"),
        _("Target met"),
        _("Computed at"),
    ]
    yes, no = _("met"), _("missed")

    def rows():
        for estate, label, metric, figure, target in selectors.kpi_rows(
            estates=estates, labels=labels
        ):
            ratio = figure.ratio
            met = selectors.target_met(figure.rate, target)
            yield [
                estate.code,
                label,
                kpi.section_label(metric.key),
                metric.label,
                metric.key,
                ratio.numerator if ratio is not None else None,
                ratio.denominator if ratio is not None else None,
                figure.rate,
                target.target if target else None,
                "" if met is None else (yes if met else no),
                timezone.localtime(figure.computed_at, estate.tz).replace(tzinfo=None)
                if figure.computed_at
                else None,
            ]

    stem = f"{stem}-{labels[0]}-{labels[-1]}"
    # Rates and targets as percentages; counts as plain numbers (money keeps two places).
    formats = {5: "#,##0.##", 6: "#,##0.##", 7: "0.00%", 8: "0.00%"}
    return exports.respond(fmt, header, rows(), stem, _("Rates"), formats)


@login_required
def kpi_csv(request):
    return _kpi_export(request, "csv")


@login_required
def kpi_xlsx(request):
    return _kpi_export(request, "xlsx")


# Bulletins ----------------------------------------------------------------------------------


def _bulletin_for(request, bulletin_id: int) -> Bulletin:
    """The bulletin if the user may read it: an estate's to its staff who see rates, the
    company's to company admins; 404 otherwise (as for an id that does not exist)."""
    bulletin = Bulletin.objects.select_related("estate").filter(pk=bulletin_id).first()
    if bulletin is None:
        raise Http404
    if bulletin.estate_id is None:
        if not scoping.is_company_admin(request.user):
            raise Http404
    elif scoping.role_in(request.user, bulletin.estate_id) is None:
        raise Http404
    return bulletin


def _may_read(user, bulletin: Bulletin) -> bool:
    return bulletin.estate_id is None or scoping.can(user, bulletin.estate_id, "kpi.view")


@estate_page("kpi.view")
def bulletins(request, estate):
    """The estate's bulletins (and the company's, for a company admin); a manager opens the
    draft of a month."""
    can_edit = scoping.can(request.user, estate, "kpi.bulletin")
    if request.method == "POST":
        company_wide = request.POST.get("scope") == "company"
        if not (scoping.is_company_admin(request.user) if company_wide else can_edit):
            return forbidden(request)
        try:
            period = kpi.Period.month(estate.tz, request.POST.get("period", ""))
        except DomainError as exc:
            messages.error(request, f"{_('Month')}: {exc.message}")
            return redirect(with_query(reverse("dashboard:bulletins"), estate=estate.code))
        bulletin = services.bulletin_draft(estate=None if company_wide else estate, period=period)
        return redirect("dashboard:bulletin", bulletin_id=bulletin.pk)
    own = list(Bulletin.objects.filter(estate=estate).defer("pdf").order_by("-period"))
    company_list = (
        list(Bulletin.objects.filter(estate__isnull=True).defer("pdf").order_by("-period"))
        if scoping.is_company_admin(request.user)
        else []
    )
    return render(
        request,
        "estate/dashboard/bulletins.html",
        {
            "estate": estate,
            "bulletins": own,
            "company_bulletins": company_list,
            "can_edit": can_edit,
            "company_admin": scoping.is_company_admin(request.user),
            "default_period": kpi.Period.containing(estate.tz, timezone.now()).previous().label,
        },
    )


@login_required
def bulletin(request, bulletin_id: int):
    """A bulletin: the manager's summary (editable until issued), issue, download."""
    item = _bulletin_for(request, bulletin_id)
    if not _may_read(request.user, item):
        return forbidden(request)
    can_edit = (
        scoping.is_company_admin(request.user)
        if item.estate_id is None
        else scoping.can(request.user, item.estate_id, "kpi.bulletin")
    ) and item.issued_at is None
    error = None
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        try:
            item = services.bulletin_save(
                user=request.user, bulletin_id=item.pk, summary=request.POST.get("summary", "")
            )
            if request.POST.get("issue"):
                item = services.bulletin_issue(user=request.user, bulletin_id=item.pk)
                messages.success(request, _("The bulletin is issued."))
            else:
                messages.success(request, _("Saved."))
            return redirect("dashboard:bulletin", bulletin_id=item.pk)
        except DomainError as exc:
            error = exc.message
            item.summary = request.POST.get("summary", "")
    return render(
        request,
        "estate/dashboard/bulletin.html",
        {"bulletin": item, "estate": item.estate, "can_edit": can_edit, "error": error},
        status=400 if error else 200,
    )


@login_required
def bulletin_pdf(request, bulletin_id: int):
    """The issued bulletin's stored bytes (byte-identical at every download), or a preview
    of a draft rendered now."""
    from estate.dashboard import bulletin as pdf

    item = _bulletin_for(request, bulletin_id)
    if not _may_read(request.user, item):
        return forbidden(request)
    code = item.estate.code if item.estate else "company"
    if item.issued_at is not None:
        return pdf_response(bytes(item.pdf), f"{code}-bulletin-{item.period}.pdf")
    return pdf_response(pdf.render(item), f"{code}-bulletin-{item.period}-draft.pdf")
