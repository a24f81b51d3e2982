"""The owner rates the handover through the link given to them (no login): the token is
unguessable (128 bits), and a wrong or another estate's token is the same 404."""

from django.http import Http404
from django.shortcuts import render

from estate.errors import DomainError
from estate.public import public_estate
from residents.movein import selectors, services
from residents.movein.forms import RatingForm


def rate(request, code: str, token: str):
    estate = public_estate(code)
    handover = selectors.handover_by_token(estate=estate, token=token)
    if handover is None or handover.status not in ("in_progress", "completed"):
        raise Http404
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                handover = services.handover_rate(
                    handover=handover,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        status = 200 if form.is_valid() and not form.errors else 422
    return render(
        request,
        "movein/public/rate.html",
        {"estate": estate, "handover": handover, "form": form},
        status=status,
    )
