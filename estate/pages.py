"""What every staff page shares, whatever the app: the estate it works in, the forbidden
answer, a safe ``next``, PDFs as responses, query-string helpers and a pager that runs a fixed
number of queries. Apps import these; none keeps a copy of its own."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from estate import scoping
from estate.models import Estate

PAGE_SIZE = 50


def current_estate(request) -> Estate:
    """``?estate=CODE`` (or the form's ``estate``), else the estate chosen in the switcher; an
    unknown estate or one the user does not belong to is a 404."""
    code = request.GET.get("estate") or request.POST.get("estate")
    estate = scoping.estate_by_code(request.user, code) if code else request.estate
    if not estate:
        raise Http404
    return estate


def forbidden(request) -> HttpResponse:
    return render(request, "estate/forbidden.html", status=403)


def estate_page(action: str):
    """Login, the current estate and the role check for ``action``; the view receives
    ``estate`` right after ``request``."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            estate = current_estate(request)
            if not scoping.can(request.user, estate, action):
                return forbidden(request)
            return view(request, estate, *args, **kwargs)

        return wrapper

    return decorate


def safe_next(request, default: str) -> str:
    """The ``next`` the form or link carries when it stays on this site, else ``default``."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    return default


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def query_without(request, *names: str) -> str:
    """The current query string without ``names`` (e.g. the page number), for links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def with_query(url: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class Page:
    """One page of rows; the caller counts (often together with its totals, in one query)."""

    rows: list
    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.count else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.count)


def page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1_000_000))
    except ValueError:
        return 1


def page_of(qs, request, count: int, size: int = PAGE_SIZE) -> Page:
    """The requested page of ``qs`` (clamped to the last one), given its ``count``."""
    number = min(page_number(request), max(1, -(-count // size)))
    start = (number - 1) * size
    return Page(rows=list(qs[start : start + size]), number=number, count=count, size=size)
