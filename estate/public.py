"""What every residents' public page shares (no login): the estate named in the URL, and the
answer when a client is over its rate limit. Rate limits themselves: estate/ratelimit.py;
one-time codes: estate/otp.py; the page frame: templates/estate/public/base.html."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from estate.models import Estate


def public_estate(code: str) -> Estate:
    """The estate of a public URL (``/r/<code>/...``); an unknown code is a 404."""
    return get_object_or_404(Estate, code=(code or "").upper())


def too_many(request, estate: Estate, template: str, context: dict) -> HttpResponse:
    """The page again, with what was typed, saying to wait (429)."""
    return render(request, template, {**context, "estate": estate, "limited": True}, status=429)
