"""Every fees URL with an id, asked for by a user of another estate, answers 404."""

import uuid

from tests.cross_estate import register, register_filter
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay


def _unit(estate):
    return {"unit_id": make_unit(estate).pk}


def _bill(estate):
    return {"bill_id": make_bill(make_unit(estate)).pk}


def _payment(estate):
    unit = make_unit(estate)
    make_bill(unit)
    return {"payment_id": pay(unit, "10.00", make_staff(estate, "finance")).pk}


# Pages (fees/urls.py)
register("fees:account", _unit)
register("fees:unit_statement", _unit)
register("fees:unit_notice_pdf", _unit)
register("fees:reminders", _unit, methods=("GET", "POST"), data={"channel": "phone"})
register(
    "fees:cashier_unit",
    _unit,
    methods=("GET", "POST"),
    data={"amount": "10.00", "method": "cash", "idempotency_key": uuid.uuid4().hex},
)
register("fees:credit_use", _unit, methods=("POST",))
register("fees:bill_void", _bill, methods=("POST",), data={"reason": "wrong area"})
register("fees:payment", _payment)
register("fees:receipt_pdf", _payment)
register("fees:payment_reverse", _payment, methods=("POST",), data={"reason": "wrong unit"})

# API (fees/api.py)
register("api:bill_detail", _bill)
register("api:bill_void", _bill, methods=("POST",), data={"reason": "wrong area"})
register("api:payment_detail", _payment)
register("api:payment_receipt_pdf", _payment)
register("api:payment_reverse", _payment, methods=("POST",), data={"reason": "wrong unit"})
register("api:unit_arrears_notice_pdf", _unit)


# List filters that take an id (tests/estate/test_cross_estate_filters.py)
def _paid_unit(estate):
    unit = make_unit(estate, "9-9-906")
    make_bill(unit)
    payment = pay(unit, "10.00", make_staff(estate, "finance"))
    return unit.pk, payment.number


def _meter(estate):
    from fees.models import FeeItem
    from tests.fees.factories import make_fee_item

    make_unit(estate, "9-9-907")
    item = make_fee_item(estate, "WATER", basis=FeeItem.Basis.METERED, price="3.50")
    return item.pk, "9-9-907"


def _building(estate):
    from fees.models import FeeItem
    from tests.fees.factories import make_fee_item

    unit = make_unit(estate, "99-9-908")
    make_fee_item(estate, "WATER", basis=FeeItem.Basis.METERED, price="3.50")
    return unit.building_id, "99-9-908"


register_filter("/api/v1/payments", "unit_id", _paid_unit)
register_filter("fees:meters", "item", _meter)
register_filter("fees:meters", "building", _building)


def _cashier(estate):
    unit = make_unit(estate, "9-9-909")
    make_bill(unit)
    cashier = make_staff(estate, "finance")
    pay(unit, "77.77", cashier)
    return cashier.pk, "77.77"  # the day's total of that cashier


register_filter("/api/v1/day-end", "cashier", _cashier)
