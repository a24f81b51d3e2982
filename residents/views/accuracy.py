"""Accuracy of the files: duplicates with their merge, and the files still incomplete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from estate import scoping
from estate.errors import DomainError
from estate.pages import estate_page, page_of
from residents import permissions as perm
from residents import selectors, services
from residents.models import Resident


@estate_page(perm.MERGE)
def duplicates(request, estate):
    """Files sharing an ID number, or a name and a phone, grouped; pick the one to keep."""
    groups = selectors.duplicate_groups(estate=estate)
    return render(request, "residents/duplicates.html", {"estate": estate, "groups": groups})


@estate_page(perm.MERGE)
def merge(request, estate):
    if request.method != "POST":
        return redirect("residents:duplicates")
    live = Resident.objects.filter(estate=estate)
    try:
        keep_id, dup_id = int(request.POST.get("keep", "")), int(request.POST.get("duplicate", ""))
    except ValueError:
        messages.error(request, _("Choose the file to keep and the duplicate."))
        return redirect("residents:duplicates")
    keep = scoping.get_scoped_or_404(live, request.user, pk=keep_id)
    duplicate = scoping.get_scoped_or_404(live, request.user, pk=dup_id)
    try:
        services.resident_merge(keep=keep, duplicate=duplicate, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("residents:duplicates")
    messages.success(request, _("Files merged: %(name)s is kept.") % {"name": keep.name})
    return redirect("residents:detail", keep.pk)


@estate_page(perm.EDIT)
def incomplete(request, estate):
    """Files missing a phone, an ID number, a move-in date, an emergency contact or a unit,
    50 a page: count, rows, their units (three queries)."""
    qs = selectors.incomplete_list(estate=estate)
    page = page_of(qs, request, qs.count())
    for r in page.rows:
        r.missing = selectors.missing_of(r, has_unit=r.has_unit)
    return render(
        request, "residents/incomplete.html", {"estate": estate, "page": page, "query": ""}
    )
