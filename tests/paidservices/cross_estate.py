"""Every paid-service URL with an id, asked for by a user of another estate, answers 404."""

from repairs.paidservices import services
from tests.cross_estate import exempt, register, register_filter
from tests.factories import make_unit
from tests.paidservices.factories import make_service


def _order(estate):
    order = services.order_create(
        estate=estate,
        service=make_service(estate, code=f"s{estate.pk}"),
        unit=make_unit(estate),
        name="王伟",
        phone="13812345678",
    )
    return {"order_id": order.pk}


register("paidservices:order", _order)
register("paidservices:order_action", lambda e: _order(e) | {"action": "start"}, methods=("POST",))
exempt(
    "public:services",
    "residents' page keyed by the estate code in the URL; it lists that estate's catalogue only "
    "and a unit of another estate is refused (tests/paidservices/test_paidservices.py)",
)
register("api:paid_order_detail", _order)
register("api:paid_order_quote", _order, methods=("POST",), data={"amount": "10"})
register("api:paid_order_confirm", _order, methods=("POST",), data={"how": "电话"})


# List filters that take an id (tests/estate/test_cross_estate_filters.py)
def _ordered(estate):
    order = services.order_create(
        estate=estate,
        service=make_service(estate, code=f"f{estate.pk}"),
        unit=make_unit(estate, "9-9-909"),
        name="王伟",
        phone="13812345678",
    )
    return order, order.ticket.number


register_filter(
    "/api/v1/paid-service-orders",
    "service",
    lambda e: (lambda o, m: (o.service_id, m))(*_ordered(e)),
)
register_filter(
    "/api/v1/paid-service-orders",
    "unit",
    lambda e: (lambda o, m: (o.ticket.unit_id, m))(*_ordered(e)),
)
