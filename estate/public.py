"""What every residents' public page shares (no login): the estate named in the URL, and the
answer when a client is over its rate limit. Rate limits themselves: estate/ratelimit.py;
one-time codes: estate/otp.py; the page frame: templates/estate/public/base.html."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from estate.fixedsql import FixedSelect
from estate.models import Estate

_BY_CODE = FixedSelect(Estate, "{code} = %s", limit=1)  # unique


def public_estate(code: str) -> Estate:
    """The estate of a public URL (``/r/<code>/...``); an unknown code is a 404."""
    estate = _BY_CODE.first((code or "").upper())
    if estate is None:
        raise Http404("No estate matches the given query.")
    return estate


def too_many(request, estate: Estate, template: str, context: dict) -> HttpResponse:
    """The page again, with what was typed, saying to wait (429)."""
    return render(request, template, {**context, "estate": estate, "limited": True}, status=429)
