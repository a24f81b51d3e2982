"""The access log of an estate's personal data, for managers: filters and exports."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from estate.localtime import local
from estate.pages import estate_page, page_of, query_without
from residents import permissions as perm
from residents import selectors
from residents.exports import csv_response, xlsx_response
from residents.forms import AccessLogFilter


def _filtered(request, estate):
    form = AccessLogFilter(request.GET or None)
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else {}
        return form, selectors.access_log(estate=estate, **filters)
    return form, selectors.access_log(estate=estate).none()


@estate_page(perm.ACCESS_LOG)
def access_log(request, estate):
    """Who saw which full number of which record, when and from where; 50 a page."""
    form, qs = _filtered(request, estate)
    page = page_of(qs, request, qs.count())
    return render(
        request,
        "residents/access_log.html",
        {"estate": estate, "form": form, "page": page, "query": query_without(request, "page")},
    )


def _rows(qs, estate):
    for e in qs.iterator(chunk_size=2000):
        yield [
            local(e.at, estate).strftime("%Y-%m-%d %H:%M:%S"),
            e.user.username,
            e.object_type,
            e.object_id,
            e.field,
            e.path,
        ]


def _header():
    return [_("When"), _("User"), _("Record type"), _("Record number"), _("Field"), _("Page")]


@estate_page(perm.ACCESS_LOG)
def access_log_csv(request, estate):
    _form, qs = _filtered(request, estate)
    return csv_response(_header(), _rows(qs, estate), f"access-log-{estate.code}.csv")


@estate_page(perm.ACCESS_LOG)
def access_log_xlsx(request, estate):
    _form, qs = _filtered(request, estate)
    return xlsx_response(
        _header(), _rows(qs, estate), f"access-log-{estate.code}.xlsx", _("Access log")
    )
