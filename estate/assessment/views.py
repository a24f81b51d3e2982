"""Staff assessment pages: per person and month, every registered figure, each linking to
its records; and the estate's training sessions.

A manager (or a company admin) sees the estate's staff; anyone else sees only their own row,
and asking for a colleague's records is a 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from estate import scoping
from estate.assessment import registry, selectors, services
from estate.assessment.models import TrainingSession
from estate.errors import DomainError
from estate.localtime import month_bounds, today
from estate.pages import estate_page, forbidden, with_query
from estate.validators import month_param, sane_date


def _month(request, estate) -> dt.date:
    return month_param(request.GET.get("month"), today(estate)).replace(day=1)


def _people(request, estate):
    """Whom the user may see: the estate's staff for a manager, else only themself."""
    return selectors.people(user=request.user, estate=estate)


@estate_page("assessment.view_own")
def figures(request, estate):
    month = _month(request, estate)
    start, end = month_bounds(month.year, month.month, estate)
    now = min(timezone.now(), end)
    label = f"{month:%Y-%m}"
    people = list(_people(request, estate))
    values = registry.compute_all(estate=estate, start=start, end=end, now=now)
    rows = []
    for person in people:
        cells = []
        for figure in registry.figures():
            n = values[figure.key].get(person.pk, 0)
            url = with_query(
                reverse("assessment:records"),
                estate=estate.code,
                month=label,
                user=person.pk,
                figure=figure.key,
            )
            cells.append((figure, n, url))
        rows.append((person, cells))
    return render(
        request,
        "assessment/figures.html",
        {
            "estate": estate,
            "month": label,
            "figures": registry.figures(),
            "rows": rows,
            "trainings": TrainingSession.objects.filter(estate=estate).prefetch_related(
                "attendances__user"
            )[:20]
            if scoping.can(request.user, estate, "assessment.view_staff")
            else [],
            "can_train": scoping.can(request.user, estate, "assessment.view_staff"),
        },
    )


@estate_page("assessment.view_own")
def records(request, estate):
    """The records behind one person's figure for a month: the same condition as the count."""
    figure = registry.get(request.GET.get("figure", ""))
    user_id = request.GET.get("user", "")
    if figure is None or not user_id.isdigit():
        # A link without its figure or person: say so (400), not "not found".
        return HttpResponseBadRequest(
            _("Choose a figure and a person from the assessment page."),
            content_type="text/plain; charset=utf-8",
        )
    if not _people(request, estate).filter(pk=int(user_id)).exists():
        raise Http404  # a colleague's figures, without the role: as if it did not exist
    month = _month(request, estate)
    start, end = month_bounds(month.year, month.month, estate)
    rows = figure.records(estate, start, end, min(timezone.now(), end), int(user_id))
    return render(
        request,
        "assessment/records.html",
        {"estate": estate, "figure": figure, "month": f"{month:%Y-%m}", "rows": rows},
    )


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    date = forms.DateField(
        validators=[sane_date], label=_("date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    trainer = forms.CharField(label=_("trainer"), max_length=50)
    passed = forms.ModelMultipleChoiceField(
        label=_("passed"), queryset=get_user_model().objects.none(), required=False
    )
    failed = forms.ModelMultipleChoiceField(
        label=_("did not pass"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(memberships__estate=estate).order_by("username")
        self.fields["passed"].queryset = staff
        self.fields["failed"].queryset = staff


@require_http_methods(["GET", "POST"])
@estate_page("assessment.view_staff")
def training_new(request, estate):
    form = TrainingForm(request.POST or None, estate=estate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.training_record(
                estate=estate,
                by=request.user,
                title=data["title"],
                date=data["date"],
                trainer=data["trainer"],
                passed=[u.pk for u in data["passed"]],
                failed=[u.pk for u in data["failed"]],
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(f"{reverse('assessment:figures')}?estate={estate.code}")
    return render(
        request,
        "assessment/training_form.html",
        {"estate": estate, "form": form},
        status=400 if request.method == "POST" else 200,
    )
