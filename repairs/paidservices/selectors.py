"""Reads of special paid services: the estate's catalogue and its orders."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from estate.models import Estate, Unit
from repairs.paidservices.models import Order, Service


def catalogue(*, estate: Estate, online_only: bool = False) -> list[Service]:
    """The estate's services: its own, and the company defaults whose code it does not
    override (one query)."""
    rows = list(
        Service.objects.filter(Q(estate=estate) | Q(estate__isnull=True), active=True).order_by(
            "code", "estate_id"
        )
    )
    own = {s.code for s in rows if s.estate_id == estate.pk}
    out = [s for s in rows if s.estate_id == estate.pk or s.code not in own]
    if online_only:
        out = [s for s in out if s.online]
    return sorted(out, key=lambda s: (s.name, s.code))


def offered(*, estate: Estate, service_id: int) -> Service | None:
    """The service of this id if the estate offers it (its own or a company default)."""
    return next((s for s in catalogue(estate=estate) if s.pk == service_id), None)


def orders(
    *,
    estate: Estate,
    service: Service | None = None,
    unit: Unit | None = None,
    status: str | None = None,
) -> QuerySet[Order]:
    qs = Order.objects.filter(estate=estate).select_related("estate", "service", "ticket__unit")
    if service is not None:
        qs = qs.filter(service=service)
    if unit is not None:
        qs = qs.filter(ticket__unit=unit)
    if status:
        qs = qs.filter(ticket__status=status)
    return qs


def order_detail(*, order_id: int) -> QuerySet[Order]:
    """An order with what its page and the API show (scope it with ``estate.scoping``)."""
    return Order.objects.filter(pk=order_id).select_related(
        "estate", "service", "ticket__unit", "quote_confirmed_by"
    )
