"""The resident list with its search, the file's page (with the logged "show" of a full
number), the create and edit form, and the list's exports."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estate import scoping
from estate.errors import DomainError
from estate.pages import estate_page, forbidden, page_of, query_without
from residents import permissions as perm
from residents import selectors, services
from residents.exports import csv_response, xlsx_response
from residents.forms import ResidentForm, initial_of
from residents.models import Occupancy, Resident
from residents.panels import panels_for

SEARCH_ROWS = 50


def _is_full_number(q: str) -> bool:
    return sum(ch.isdigit() for ch in q) >= 7


@estate_page(perm.VIEW)
def resident_list(request, estate):
    """All files of the estate, 50 a page, or a search (name, unit, last four digits; a full
    phone only through the POSTed search box, so it never lands in a URL or a log)."""
    q = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    q = q.strip()[:50]
    ignored = request.method == "GET" and _is_full_number(q)
    if ignored:
        q = ""
    qs = selectors.resident_list(estate=estate, q=q, kind=request.GET.get("kind", ""))
    if request.method == "POST":
        rows = list(qs[: SEARCH_ROWS + 1])
        page, more = None, len(rows) > SEARCH_ROWS
        rows = rows[:SEARCH_ROWS]
    else:
        page = page_of(qs, request, qs.count())
        rows, more = page.rows, False
    context = {
        "estate": estate,
        "q": q,
        "rows": rows,
        "page": page,
        "more": more,
        "ignored": ignored,
        "query": query_without(request, "page"),
        "can_edit": scoping.can(request.user, estate, perm.EDIT),
        "can_export": scoping.can(request.user, estate, perm.EXPORT),
    }
    template = (
        "residents/_results.html" if request.headers.get("HX-Request") else "residents/list.html"
    )
    return render(request, template, context)


def _detail_context(request, estate, resident):
    occupancies = list(
        Occupancy.objects.filter(resident=resident).select_related("unit").order_by("unit__number")
    )
    current = [o.unit_id for o in occupancies if o.ended_on is None]
    household = (
        Occupancy.objects.filter(unit_id__in=current, ended_on__isnull=True)
        .exclude(resident=resident)
        .select_related("unit", "resident")
        .order_by("unit__number", "-is_primary", "resident__name")
    )
    can_log = scoping.can(request.user, estate, perm.ACCESS_LOG)
    return {
        "estate": estate,
        "r": resident,
        "occupancies": occupancies,
        "household": household,
        "vehicles": resident.vehicles.all(),
        "pets": resident.pets.all(),
        "changes": resident.changes.select_related("by")[:50],
        "missing": selectors.missing_of(resident, has_unit=bool(current)),
        "panels": panels_for(current, request.user) if current else [],
        "access": selectors.resident_access_log(resident=resident)[:50] if can_log else None,
        "can_reveal": scoping.can(request.user, estate, perm.REVEAL),
        "can_edit": scoping.can(request.user, estate, perm.EDIT),
        "revealed": {},
    }


@estate_page(perm.VIEW)
def resident_detail(request, estate, resident_id: int):
    """The file. A POSTed "show" of one field (managers and admins) shows its full value in
    this answer only, and writes the access log."""
    resident = scoping.get_scoped_or_404(
        Resident.objects.filter(estate=estate), request.user, pk=resident_id
    )
    context = _detail_context(request, estate, resident)
    if request.method == "POST":
        field = request.POST.get("reveal", "")
        try:
            value = services.resident_reveal(
                resident=resident, field=field, user=request.user, request=request
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            messages.error(request, exc.message)
        else:
            context["revealed"] = {field: value}
            context["access"] = (
                selectors.resident_access_log(resident=resident)[:50]
                if context["access"] is not None
                else None
            )
    response = render(request, "residents/detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _save(request, estate, form, resident):
    """Run the service; its refusal becomes an error beside the field it names."""
    try:
        if resident is None:
            return services.resident_file_create(
                estate=estate,
                data=form.file_data(),
                units=form.cleaned_data["units"],
                primary=form.cleaned_data["primary"],
                by=request.user,
            )
        resident, _n = services.resident_update(
            resident=resident,
            data=form.file_data(services.file_data_of(resident)),
            units=form.cleaned_data["units"],
            primary=form.cleaned_data["primary"],
            remove_unit_ids=[int(u) for u in form.cleaned_data.get("remove_units", [])],
            by=request.user,
        )
        return resident
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@estate_page(perm.EDIT)
def resident_new(request, estate):
    form = ResidentForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        resident = _save(request, estate, form, None)
        if resident is not None:
            messages.success(request, _("File saved."))
            return redirect("residents:detail", resident.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "residents/form.html", {"estate": estate, "form": form, "r": None}, status=status
    )


@estate_page(perm.EDIT)
def resident_edit(request, estate, resident_id: int):
    resident = scoping.get_scoped_or_404(
        Resident.objects.filter(estate=estate, merged_into__isnull=True).prefetch_related(
            selectors._current_units()
        ),
        request.user,
        pk=resident_id,
    )
    form = ResidentForm(
        request.POST or None, estate=estate, resident=resident, initial=initial_of(resident)
    )
    saved = request.method == "POST" and form.is_valid() and _save(request, estate, form, resident)
    if saved:
        messages.success(request, _("File saved."))
        return redirect("residents:detail", resident.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "residents/form.html",
        {"estate": estate, "form": form, "r": resident},
        status=status,
    )


def _export_rows(qs):
    for r in qs.annotate(n_vehicles=Count("vehicles")).iterator(chunk_size=2000):
        units = ", ".join(o.unit.number for o in r.current_occupancies)
        yield [
            r.pk,
            r.name,
            r.get_kind_display(),
            r.phone_masked,
            r.get_id_kind_display(),
            r.id_number_masked,
            units,
            r.move_in_date.isoformat() if r.move_in_date else "",
            r.emergency_contact,
            r.emergency_phone_masked,
            r.parking_spaces,
            r.n_vehicles,
        ]


def _export(request, estate, fmt):
    if not scoping.can(request.user, estate, perm.EXPORT):
        return forbidden(request)
    q = request.GET.get("q", "")
    qs = selectors.resident_list(estate=estate, q="" if _is_full_number(q) else q)
    services.export_log(
        estate=estate, user=request.user, what="residents", rows=qs.count(), request=request
    )
    header = [
        _("Number"),
        _("Name"),
        _("Kind"),
        _("Mobile phone"),
        _("Document kind"),
        _("Document number"),
        _("Units"),
        _("Move-in date"),
        _("Emergency contact"),
        _("Emergency contact's mobile"),
        _("Parking spaces"),
        _("Vehicles"),
    ]
    name = f"residents-{estate.code}"
    if fmt == "csv":
        return csv_response(header, _export_rows(qs), f"{name}.csv")
    return xlsx_response(header, _export_rows(qs), f"{name}.xlsx", _("Residents"))


@estate_page(perm.VIEW)
def resident_export_csv(request, estate):
    """The list as CSV, masked, for managers and admins; the export is logged."""
    return _export(request, estate, "csv")


@estate_page(perm.VIEW)
def resident_export_xlsx(request, estate):
    return _export(request, estate, "xlsx")


def detail_url(resident) -> str:
    return reverse("residents:detail", args=[resident.pk])
