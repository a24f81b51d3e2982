"""The manager's service-desk settings (categories and service levels, the business calendar,
reply templates) and the monthly return-visit sample work list. Writes go through
``repairs.configuration``; a refusal comes back beside its field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from estate import scoping
from estate.errors import DomainError
from estate.pages import estate_page, forbidden
from repairs import configuration, selectors
from repairs import forms as f
from repairs.models import Category, Priority, ReplyTemplate

CONFIGURE = "repairs.configure"


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2004 <= year <= 2100 else default


# The business calendar -------------------------------------------------------------------------
def _hours_form(weekday: int, hours, data=None) -> f.WorkingHoursForm:
    initial = {}
    for i, part in enumerate(("morning", "afternoon")):
        if len(hours) > i:
            initial[f"{part}_start"], initial[f"{part}_end"] = hours[i]
    return f.WorkingHoursForm(data, initial=initial, prefix=f"day{weekday}")


def _calendar(request, estate, year: int, *, failed=None, status=200):
    """The page; ``failed`` is ``(name, form)`` of a form that came back with errors."""
    overview = selectors.calendar_overview(estate=estate, year=year)
    failed_name, failed_form = failed or (None, None)
    week = []
    names = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    for day in range(7):
        hours = overview["week"].get(day, ())
        form = failed_form if failed_name == f"day{day}" else _hours_form(day, hours)
        week.append({"weekday": day, "name": names[day], "hours": hours, "form": form})
    return render(
        request,
        "repairs/calendar.html",
        {
            "estate": estate,
            "overview": overview,
            "year": year,
            "week": week,
            "import_form": failed_form
            if failed_name == "import"
            else f.CalendarImportForm(initial={"year": year}),
            "day_form": failed_form if failed_name == "day" else f.CalendarDayForm(),
            "tab": "calendar",
        },
        status=status,
    )


def _back_to_calendar(estate, year: int):
    return redirect(f"{reverse('repairs:calendar')}?estate={estate.code}&year={year}")


@estate_page(CONFIGURE)
def calendar_page(request, estate):
    """Working hours per weekday, the year's holidays and makeup working days, the import
    button, per-day corrections, and a warning when no source covers the year."""
    year = _year(request.GET.get("year"), timezone.localdate(timezone.now(), estate.tz).year)
    return _calendar(request, estate, year)


@require_POST
@estate_page(CONFIGURE)
def calendar_import(request, estate):
    form = f.CalendarImportForm(request.POST)
    year = _year(request.POST.get("year"), timezone.now().year)
    if form.is_valid():
        try:
            record = configuration.calendar_year_import(
                estate=estate, year=form.cleaned_data["year"], by=request.user
            )
        except DomainError as exc:
            f.add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Imported the calendar of %(y)d (%(source)s).")
                % {"y": record.year, "source": record.get_source_display()},
            )
            return _back_to_calendar(estate, record.year)
    return _calendar(request, estate, year, failed=("import", form), status=422)


@require_POST
@estate_page(CONFIGURE)
def calendar_day(request, estate):
    form = f.CalendarDayForm(request.POST)
    year = _year(request.POST.get("year"), timezone.now().year)
    if form.is_valid():
        d = form.cleaned_data
        try:
            day = configuration.calendar_day_set(
                estate=estate, by=request.user, date=d["date"], kind=d["kind"], name=d["name"]
            )
        except DomainError as exc:
            f.add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(date)s is now: %(kind)s.")
                % {"date": day.date.isoformat(), "kind": day.get_kind_display()},
            )
            return _back_to_calendar(estate, day.date.year)
    return _calendar(request, estate, year, failed=("day", form), status=422)


@require_POST
@estate_page(CONFIGURE)
def calendar_hours(request, estate):
    year = _year(request.POST.get("year"), timezone.now().year)
    weekday = request.POST.get("weekday", "")
    if weekday not in {str(d) for d in range(7)}:
        messages.error(request, _("A weekday is 0 (Monday) to 6 (Sunday)."))
        return _back_to_calendar(estate, year)
    weekday = int(weekday)
    form = f.WorkingHoursForm(request.POST, prefix=f"day{weekday}")
    if form.is_valid():
        morning, afternoon = form.spans()
        try:
            configuration.working_hours_set(
                estate=estate,
                by=request.user,
                weekday=weekday,
                morning=morning,
                afternoon=afternoon,
            )
        except DomainError as exc:
            f.add_domain_error(form, exc, {"morning": "morning_end", "afternoon": "afternoon_end"})
        else:
            messages.success(request, _("Working hours saved."))
            return _back_to_calendar(estate, year)
    return _calendar(request, estate, year, failed=(f"day{weekday}", form), status=422)


# Categories and service levels -----------------------------------------------------------------
@estate_page(CONFIGURE)
def category_list(request, estate):
    categories = selectors.categories(estate=estate, active=None)
    groups: dict[str, list] = {}
    for category in categories:
        # Per priority: the minutes and the clock the deadlines really run on (the same
        # ``runs_on_business_hours`` the service uses).
        category.levels = [
            {
                "priority": priority,
                "label": label,
                "respond": category.minutes(priority)[0],
                "resolve": category.minutes(priority)[1],
                "business": category.runs_on_business_hours(priority),
            }
            for priority, label in Priority.choices
        ]
        groups.setdefault(category.get_kind_display(), []).append(category)
    return render(
        request,
        "repairs/categories.html",
        {"estate": estate, "groups": groups, "tab": "categories"},
    )


def _category_form(request, estate, category: Category | None):
    if request.method == "POST":
        form = f.CategoryForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                configuration.category_save(
                    estate=estate,
                    by=request.user,
                    code=d["code"],
                    kind=d["kind"],
                    name=d["name"],
                    name_en=d["name_en"],
                    business_hours=d["business_hours"],
                    active=d["active"],
                    minutes=form.minutes(),
                    category=category,
                )
            except DomainError as exc:
                f.add_domain_error(form, exc)
            else:
                messages.success(request, _("Category saved."))
                return redirect(f"{reverse('repairs:categories')}?estate={estate.code}")
        status = 422
    else:
        initial = f.CategoryForm.initial_for(category) if category else {}
        form, status = f.CategoryForm(initial=initial), 200
    return render(
        request,
        "repairs/category_form.html",
        {"estate": estate, "form": form, "category": category, "tab": "categories"},
        status=status,
    )


@estate_page(CONFIGURE)
def category_new(request, estate):
    return _category_form(request, estate, None)


@login_required
def category_edit(request, category_id: int):
    category = scoping.get_scoped_or_404(Category, request.user, pk=category_id)
    if not scoping.can(request.user, category.estate, CONFIGURE):
        return forbidden(request)
    return _category_form(request, category.estate, category)


# Reply templates (快捷用语) --------------------------------------------------------------------------
def _template_values(form) -> dict:
    d = form.cleaned_data
    return {k: d[k] for k in ("situation", "title", "text", "sort", "active")}


@estate_page(CONFIGURE)
def template_list(request, estate):
    """The estate's reply templates, with a form to add one."""
    form, status = f.ReplyTemplateForm(), 200
    if request.method == "POST":
        form = f.ReplyTemplateForm(request.POST)
        if form.is_valid():
            try:
                configuration.reply_template_save(
                    estate=estate, by=request.user, **_template_values(form)
                )
            except DomainError as exc:
                f.add_domain_error(form, exc)
            else:
                messages.success(request, _("Reply template saved."))
                return redirect(f"{reverse('repairs:templates')}?estate={estate.code}")
        status = 422
    templates = selectors.reply_template_list(estate=estate)
    return render(
        request,
        "repairs/templates.html",
        {"estate": estate, "templates": templates, "form": form, "tab": "templates"},
        status=status,
    )


def _template_or_404(request, template_id: int):
    template = scoping.get_scoped_or_404(
        ReplyTemplate.objects.select_related("estate"), request.user, pk=template_id
    )
    return template, scoping.can(request.user, template.estate, CONFIGURE)


@login_required
def template_edit(request, template_id: int):
    template, allowed = _template_or_404(request, template_id)
    if not allowed:
        return forbidden(request)
    estate = template.estate
    if request.method == "POST":
        form = f.ReplyTemplateForm(request.POST)
        if form.is_valid():
            try:
                configuration.reply_template_save(
                    estate=estate, by=request.user, template=template, **_template_values(form)
                )
            except DomainError as exc:
                f.add_domain_error(form, exc)
            else:
                messages.success(request, _("Reply template saved."))
                return redirect(f"{reverse('repairs:templates')}?estate={estate.code}")
        status = 422
    else:
        fields = ("situation", "title", "text", "sort", "active")
        form = f.ReplyTemplateForm(initial={k: getattr(template, k) for k in fields})
        status = 200
    return render(
        request,
        "repairs/template_form.html",
        {"estate": estate, "form": form, "template": template, "tab": "templates"},
        status=status,
    )


@login_required
@require_POST
def template_delete(request, template_id: int):
    template, allowed = _template_or_404(request, template_id)
    if not allowed:
        return forbidden(request)
    estate = template.estate
    configuration.reply_template_delete(template=template, by=request.user)
    messages.success(request, _("Reply template deleted."))
    return redirect(f"{reverse('repairs:templates')}?estate={estate.code}")


# The monthly return-visit sample -------------------------------------------------------------
@estate_page("repairs.return_visit")
def samples(request, estate):
    """The month's quality return-visit work list: the sampled tickets, those still to call
    first."""
    periods = list(
        selectors.sample_runs(estate=estate).order_by("-period").values_list("period", "population")
    )
    period = request.GET.get("period") or (periods[0][0] if periods else None)
    items = list(selectors.sample_list(estate=estate, period=period)) if period else []
    done = sum(1 for i in items if i.visited)
    return render(
        request,
        "repairs/samples.html",
        {
            "estate": estate,
            "periods": periods,
            "period": period,
            "population": dict(periods).get(period),
            "items": items,
            "done": done,
        },
    )
