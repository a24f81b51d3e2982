"""The front desk's page to log a call (报事登记), and its small htmx helpers: the as-you-type
search for the unit or resident, filling the reporter in from a pick, the categories of a kind,
and the deadlines a ticket would get if saved now."""

import re

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from estate import localtime, scoping
from estate.errors import DomainError
from estate.pages import estate_page
from estate.selectors import in_natural_order, unit_search
from repairs import selectors, services
from repairs.forms import DeskForm, add_domain_error, category_choices
from repairs.models import Priority, Ticket
from repairs.views.ticket import DispatchChoices
from residents.models import Resident
from residents.selectors import resident_search

SEARCH_LIMIT = 8
PLACEHOLDER = re.compile(r"\{\w+\}")
CREATE = "repairs.ticket.create"


def _categories(estate):
    return list(selectors.categories(estate=estate, for_residents=True))


def _resident(estate, resident_id) -> Resident | None:
    if not resident_id:
        return None
    return selectors.reporter_resident(estate=estate, resident_id=resident_id)


def _render(request, estate, form, *, status=200, created=None, photos_dropped=False):
    resident = _resident(estate, form["resident"].value())
    # Before saving there is no number or deadline: phrases that need them wait for the
    # ticket page.
    # Only the "other" phrases may go into the problem description: a greeting is said to
    # the caller, never written into what they report.
    rendered = [
        {"title": t.title, "text": selectors.reply_template_render(template=t)}
        for t in selectors.reply_templates(estate=estate, situation="other")
    ]
    templates = [t for t in rendered if not PLACEHOLDER.search(t["text"])]
    dispatch = None
    if created is not None and scoping.can(request.user, estate, "repairs.ticket.dispatch"):
        dispatch = DispatchChoices(estate).form(prefix="dispatch")
    return render(
        request,
        "repairs/desk.html",
        {
            "estate": estate,
            "form": form,
            "resident": resident,
            "templates": templates,
            "created": created,
            "dispatch_form": dispatch,
            "photos_dropped": photos_dropped,
        },
        status=status,
    )


@estate_page(CREATE)
def desk(request, estate):
    """One page, one submit. A refused report comes back with everything typed and the error
    beside its field; nothing is saved. Saved, it shows the number and offers dispatch."""
    categories = _categories(estate)
    if request.method != "POST":
        created = None
        if request.GET.get("created", "").isdigit():
            created = selectors.ticket_detail(
                user=request.user, ticket_id=int(request.GET["created"])
            )
        form = DeskForm(initial={"estate": estate.code}, categories=categories)
        return _render(request, estate, form, created=created)

    form = DeskForm(request.POST, request.FILES, categories=categories)
    dropped = bool(request.FILES)
    if not form.is_valid():
        return _render(request, estate, form, status=422, photos_dropped=dropped)
    data = form.cleaned_data
    try:
        ticket = services.ticket_create(
            estate=estate,
            kind=data["kind"],
            category=data["category"],
            priority=data["priority"],
            channel=data["channel"],
            description=data["description"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            unit_number=data["unit"],
            common_area=data["common_area"],
            resident=data["resident"] or None,
            photos=data["photos"],
            major_complaint=data["major_complaint"],
            preferred_visit_time=data["preferred_visit_time"],
            by=request.user,
        )
    except DomainError as exc:
        add_domain_error(form, exc, {"resident": "reporter_name", "unit_number": "unit"})
        return _render(request, estate, form, status=exc.status, photos_dropped=dropped)
    return redirect(f"{reverse('repairs:desk')}?estate={estate.code}&created={ticket.pk}")


@estate_page(CREATE)
def desk_search(request, estate):
    """The as-you-type results (an HTML fragment): units by number and residents by name,
    full phone or its last four digits, each with the units they live in."""
    q = (request.GET.get("q") or "").strip()[:50]
    units, residents = [], []
    if q:
        units = in_natural_order(  # 1-1-101 before 1-1-1001
            unit_search(user=request.user, estate=estate, q=q).prefetch_related(
                "occupancies__resident"
            ),
            limit=SEARCH_LIMIT,
        )
        residents = list(resident_search(estate=estate, q=q)[:SEARCH_LIMIT])
    rows = []
    for unit in units:
        current = [o for o in unit.occupancies.all() if o.ended_on is None]
        primary = next((o.resident for o in current if o.is_primary), None)
        primary = primary or (current[0].resident if current else None)
        rows.append({"unit": unit, "resident": primary})
    for resident in residents:
        homes = [o.unit for o in resident.occupancies.all() if o.ended_on is None]
        rows.extend({"unit": u, "resident": resident} for u in homes or [None])
    return render(request, "repairs/_desk_results.html", {"estate": estate, "rows": rows, "q": q})


@estate_page(CREATE)
def desk_pick(request, estate):
    """The reporter fields filled in from a picked unit and/or resident (an HTML fragment).
    The phone stays masked: left empty, the resident's number on file is used."""
    unit_id, resident_id = request.GET.get("unit", ""), request.GET.get("resident", "")
    unit = (
        unit_search(user=request.user, estate=estate).filter(pk=unit_id).first()
        if unit_id.isdigit()
        else None
    )
    resident = _resident(estate, resident_id if resident_id.isdigit() else None)
    if (unit_id and unit is None) or (resident_id and resident is None):
        raise Http404
    initial = {
        "estate": estate.code,
        "unit": unit.number if unit else "",
        "resident": resident.pk if resident else None,
        "reporter_name": resident.name if resident else "",
    }
    form = DeskForm(initial=initial, categories=())
    if unit is None and resident is not None:  # the resident's home, when they have one
        homes = [o.unit for o in resident.occupancies.select_related("unit") if o.ended_on is None]
        unit = homes[0] if len(homes) == 1 else None
    context = selectors.caller_context(
        estate=estate,
        unit=unit,
        resident=resident,
        today=localtime.local_date(timezone.now(), estate),
    )
    return render(
        request,
        "repairs/_desk_pick.html",
        {"form": form, "resident": resident, "estate": estate, "unit": unit, **context},
    )


@estate_page(CREATE)
def desk_categories(request, estate):
    """The category options of the chosen kind (an HTML fragment for the select)."""
    kind = request.GET.get("kind")
    if kind not in Ticket.Kind.values:
        kind = Ticket.Kind.REPAIR
    choices = category_choices(_categories(estate), kind)
    return render(request, "repairs/_options.html", {"choices": choices})


@estate_page(CREATE)
def desk_deadlines(request, estate):
    """The response and resolution deadlines a ticket of this category and priority would get
    if saved now, by the same calendar arithmetic as ``ticket_create``."""
    category = None
    value = request.GET.get("category") or ""
    if value.isdigit():
        category = selectors.categories(estate=estate).filter(pk=value).first()
    if category is not None and category.kind != request.GET.get("kind", category.kind):
        category = None  # the kind just changed; its category list is being replaced
    priority = request.GET.get("priority")
    context = {"estate": estate, "category": category}
    if category is not None and priority in Priority.values:
        now = timezone.now()
        respond, resolve = selectors.deadline_preview(
            estate=estate, category=category, priority=priority, at=now
        )
        respond_in, resolve_in = category.minutes(priority)
        context |= {
            "respond": respond,
            "resolve": resolve,
            "respond_in": respond_in,
            "resolve_in": resolve_in,
            "business": category.runs_on_business_hours(priority),
            "now": now,
        }
    return render(request, "repairs/_desk_deadlines.html", context)
