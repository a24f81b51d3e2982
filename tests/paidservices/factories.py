"""Builders for paid-service tests."""

from decimal import Decimal

from repairs.paidservices.models import Service
from tests.repairs.factories import make_category


def make_service(estate=None, *, code="unclog", pricing="fixed", price="80.00", **kw):
    """An estate's service (or a company default with ``estate=None``); the estate gets the
    repair category its code names."""
    if estate is not None:
        make_category(estate, code=kw.get("category_code", "paid"), name="特约服务")
    return Service.objects.create(
        estate=estate,
        code=code,
        name=kw.pop("name", "管道疏通"),
        pricing=pricing,
        price=Decimal(price) if pricing == "fixed" else None,
        category_code=kw.pop("category_code", "paid"),
        **kw,
    )
