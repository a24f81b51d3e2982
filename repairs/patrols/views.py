"""Patrol pages: the manager's overview (figures over months, each linking to its records;
planning a round), checklists, the lists behind each figure, and the inspector's phone page
to walk a round."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from estate import scoping
from estate.errors import DomainError
from estate.localtime import today
from estate.pages import estate_page, forbidden
from estate.validators import month_param
from repairs.patrols import selectors, services
from repairs.patrols.forms import ChecklistForm, FindingForm, PlanForm
from repairs.patrols.models import Area, Checklist, Finding, Round

MONTHS = 6


def _error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _month(request, estate) -> dt.date:
    return month_param(request.GET.get("month"), today(estate)).replace(day=1)


@require_http_methods(["GET", "POST"])
@estate_page("patrols.manage")
def overview(request, estate):
    """Rounds planned vs done, failed findings by area and item, rectifications on time,
    over the last six months; and the form to plan a round."""
    form = PlanForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_plan(estate=estate, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _error(form, exc)
        else:
            return redirect(f"{request.path}?estate={estate.code}")
    months = selectors.months_back(_month(request, estate), MONTHS)
    rounds = selectors.round_figures(estate=estate, months=months)
    rects = selectors.rectification_figures(estate=estate, months=months)
    return render(
        request,
        "patrols/overview.html",
        {
            "estate": estate,
            "form": form,
            "months": [(m, f"{m:%Y-%m}", rounds[m], rects[m]) for m in months],
            "month_labels": [f"{m:%Y-%m}" for m in months],
            "findings": [
                {**row, "cells": [(f"{m:%Y-%m}", row["counts"][m]) for m in months]}
                for row in selectors.finding_figures(estate=estate, months=months)
            ],
            "areas": dict(Area.choices),
            "checklists": Checklist.objects.filter(estate=estate).select_related("category"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@estate_page("patrols.manage")
def checklist_new(request, estate):
    form = ChecklistForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.checklist_create(
                estate=estate,
                by=request.user,
                name=data["name"],
                area=data["area"],
                category=data["category"],
                items=data["items"].splitlines(),
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            return redirect(f"{reverse('patrols:overview')}?estate={estate.code}")
    return render(
        request,
        "patrols/checklist_form.html",
        {"estate": estate, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@estate_page("patrols.manage")
def round_list(request, estate):
    month = _month(request, estate)
    part = "done" if request.GET.get("part") == "done" else "planned"
    return render(
        request,
        "patrols/rounds.html",
        {
            "estate": estate,
            "month": month,
            "part": part,
            "rows": selectors.rounds(estate=estate, month=month, part=part),
        },
    )


@estate_page("patrols.manage")
def finding_list(request, estate):
    month = _month(request, estate)
    item = request.GET.get("item")
    item_id = int(item) if item and item.isdigit() else None
    area = request.GET.get("area") if request.GET.get("area") in Area.values else None
    return render(
        request,
        "patrols/findings.html",
        {
            "estate": estate,
            "month": month,
            "rows": selectors.failed_findings(
                estate=estate, month=month, item_id=item_id, area=area
            ),
        },
    )


@estate_page("patrols.manage")
def rectification_list(request, estate):
    month = _month(request, estate)
    part = "numerator" if request.GET.get("part") == "numerator" else "denominator"
    return render(
        request,
        "patrols/rectifications.html",
        {
            "estate": estate,
            "month": month,
            "part": part,
            "rows": selectors.rectifications(estate=estate, month=month, part=part),
        },
    )


@estate_page("patrols.walk")
def mine(request, estate):
    return render(
        request,
        "patrols/mine.html",
        {"estate": estate, "rows": selectors.rounds_for(user=request.user, estate=estate)},
    )


def _round(request, round_id: int) -> Round:
    return scoping.get_scoped_or_404(
        Round.objects.select_related("estate", "checklist", "inspector"),
        request.user,
        pk=round_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def walk(request, round_id: int):
    """The phone page of a round: each item with pass / fail, a note and a photo."""
    round_ = _round(request, round_id)
    if not services.may_walk(request.user, round_):
        return forbidden(request)
    items = list(round_.checklist.items.filter(active=True))
    done = {f.item_id: f for f in round_.findings.select_related("ticket")}
    forms_by_item = {i.pk: FindingForm(prefix=f"i{i.pk}") for i in items}
    status = 200
    if request.method == "POST":
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            raise Http404
        form = FindingForm(request.POST, request.FILES, prefix=f"i{item.pk}")
        forms_by_item[item.pk] = form
        if form.is_valid():
            try:
                services.finding_record(
                    round=round_,
                    by=request.user,
                    item=item,
                    now=timezone.now(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                if exc.field == "photos":
                    exc.field = "photo"
                _error(form, exc)
            else:
                return redirect("patrols:walk", round_.pk)
        status = 400
    return render(
        request,
        "patrols/walk.html",
        {
            "estate": round_.estate,
            "round": round_,
            "rows": [(i, done.get(i.pk), forms_by_item[i.pk]) for i in items],
        },
        status=status,
    )


@login_required
def finding_photo(request, finding_id: int):
    finding = scoping.get_scoped_or_404(
        Finding.objects.select_related("round"), request.user, pk=finding_id
    )
    if (
        not (
            services.may_walk(request.user, finding.round)
            or scoping.can(request.user, finding.estate_id, "patrols.manage")
        )
        or not finding.photo
    ):
        raise Http404
    kind = mimetypes.guess_type(finding.photo.name)[0] or "application/octet-stream"
    return FileResponse(finding.photo.open("rb"), content_type=kind)
