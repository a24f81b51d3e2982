"""Paid-service pages: the estate's catalogue (managers edit it), the orders list, ordering
at the front desk, an order's page (quote, confirmation, start, resolve and bill), and the
residents' catalogue with prices and the order form under /r/<code>/services/."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from estate import scoping
from estate.errors import DomainError
from estate.models import Unit
from estate.pages import estate_page, forbidden, page_of
from estate.public import public_estate, too_many
from estate.ratelimit import over_limit
from repairs.paidservices import selectors, services
from repairs.paidservices.forms import (
    ConfirmForm,
    OrderForm,
    QuoteForm,
    ResolveForm,
    ServiceForm,
)
from repairs.paidservices.models import Order

FIELD = {"unit": "unit_number", "reporter_phone": "phone", "reporter_name": "name"}


def _error(form, exc: DomainError) -> None:
    field = FIELD.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@estate_page("paidservices.order")
def catalogue(request, estate):
    can_manage = scoping.can(request.user, estate, "paidservices.manage")
    form = ServiceForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        if form.is_valid():
            try:
                services.service_save(estate=estate, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _error(form, exc)
            else:
                return redirect(f"{request.path}?estate={estate.code}")
    return render(
        request,
        "paidservices/catalogue.html",
        {
            "estate": estate,
            "services": selectors.catalogue(estate=estate),
            "form": form,
            "can_manage": can_manage,
        },
        status=400 if request.method == "POST" else 200,
    )


def _unit(estate, number: str):
    return Unit.objects.filter(estate=estate, number=(number or "").strip()).first()


def _place_order(request, estate, form, by):
    data = form.cleaned_data
    unit = _unit(estate, data["unit_number"])
    if unit is None:
        form.add_error(
            "unit_number", _("There is no unit %(n)s in this estate.") % {"n": data["unit_number"]}
        )
        return None
    service = next((s for s in form.services if str(s.pk) == data["service"]), None)
    try:
        return services.order_create(
            estate=estate,
            service=service,
            unit=unit,
            name=data["name"],
            phone=data["phone"],
            description=data["description"],
            by=by,
        )
    except DomainError as exc:
        _error(form, exc)
        return None


@require_http_methods(["GET", "POST"])
@estate_page("paidservices.order")
def order_list(request, estate):
    """The orders, newest first, 50 a page (count, page with service, ticket and unit); and
    the front desk's order form."""
    offered = selectors.catalogue(estate=estate)
    form = OrderForm(request.POST or None, services=offered)
    form.services = offered
    if request.method == "POST" and form.is_valid():
        order = _place_order(request, estate, form, request.user)
        if order is not None:
            return redirect("paidservices:order", order.pk)
    qs = selectors.orders(estate=estate)
    count = qs.aggregate(n=Count("id"))["n"]
    return render(
        request,
        "paidservices/orders.html",
        {"estate": estate, "page": page_of(qs, request, count), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _order(request, order_id: int) -> Order | None:
    order = scoping.get_scoped_or_404(
        Order.objects.select_related("estate", "service", "ticket__unit", "quote_confirmed_by"),
        request.user,
        pk=order_id,
    )
    return order if scoping.can(request.user, order.estate, "repairs.ticket.view") else None


@login_required
def order_detail(request, order_id: int, forms=None, status=200):
    order = _order(request, order_id)
    if order is None:
        return forbidden(request)
    forms = forms or {}
    return render(
        request,
        "paidservices/order.html",
        {
            "estate": order.estate,
            "order": order,
            "ticket": order.ticket,
            "refusal": services.start_refusal(order),
            "quote_form": forms.get("quote") or QuoteForm(),
            "confirm_form": forms.get("confirm") or ConfirmForm(),
            "resolve_form": forms.get("resolve") or ResolveForm(),
            "error": forms.get("error"),
            "can_order": scoping.can(request.user, order.estate, "paidservices.order"),
        },
        status=status,
    )


@login_required
@require_POST
def order_action(request, order_id: int, action: str):
    order = _order(request, order_id)
    if order is None:
        return forbidden(request)
    try:
        if action == "quote":
            form = QuoteForm(request.POST)
            if not form.is_valid():
                return order_detail(request, order_id, {"quote": form}, status=400)
            services.quote_set(order=order, by=request.user, amount=form.cleaned_data["amount"])
        elif action == "confirm":
            form = ConfirmForm(request.POST)
            if not form.is_valid():
                return order_detail(request, order_id, {"confirm": form}, status=400)
            services.quote_confirm(order=order, by=request.user, how=form.cleaned_data["how"])
        elif action == "start":
            services.order_start(order=order, by=request.user)
        elif action == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                return order_detail(request, order_id, {"resolve": form}, status=400)
            services.order_resolve(
                order=order, by=request.user, note=form.cleaned_data["note"], note_required=True
            )
        else:
            return forbidden(request)
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request)
        return order_detail(request, order_id, {"error": exc.message}, status=exc.status)
    return redirect("paidservices:order", order.pk)


@require_http_methods(["GET", "POST"])
def public_services(request, code: str):
    """The estate's services with their prices, and the order form (services offered online)."""
    estate = public_estate(code)
    offered = selectors.catalogue(estate=estate, online_only=True)
    form = OrderForm(request.POST or None, services=offered)
    form.services = offered
    template = "paidservices/public/services.html"
    context = {"estate": estate, "services": offered, "form": form}
    if request.method == "GET":
        return render(request, template, context)
    if over_limit(request, group="resident-submit", rate=settings.RESIDENT_LIMITS["submit"]):
        return too_many(request, estate, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    if form.cleaned_data["website"]:
        form.add_error(None, _("This submission looks automated and was not saved."))
        return render(request, template, context, status=400)
    order = _place_order(request, estate, form, None)
    if order is None:
        return render(request, template, context, status=400)
    return redirect(
        reverse("public:track", args=[estate.code, order.ticket.tracking_code]) + "?new=1"
    )
