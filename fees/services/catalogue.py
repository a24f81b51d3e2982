"""Every write to the fee catalogue: fee items, their prices over time, and which units an
item bills."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.scoping import require
from estate.validators import clean_text
from fees import permissions as perm
from fees.models import (
    FeeAssignment,
    FeeItem,
    FeePrice,
)
from fees.services.ledger import clean_amount

PRICE_PLACES = Decimal("0.0001")


def _clean_price(value) -> Decimal:
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise DomainError("invalid", _("Enter a price, e.g. 2.50."), field="price") from None
    if not price.is_finite() or price < 0:
        raise DomainError("invalid", _("A price cannot be negative."), field="price")
    if price != price.quantize(PRICE_PLACES) or price >= Decimal("100000000"):
        raise DomainError("invalid", _("A price has at most 4 decimals."), field="price")
    return price


@transaction.atomic
def fee_item_create(
    *,
    estate: Estate,
    code: str,
    name: str,
    basis: str,
    price=None,
    valid_from: dt.date | None = None,
    cycle: str = FeeItem.Cycle.MONTHLY,
    cycle_start_month: int = 1,
    due_day: int = 15,
    due_month_offset: int = 0,
    unit_label: str = "",
    late_fee_daily_rate: Decimal | None = None,
    late_fee_cap_rate: Decimal | None = None,
    by=None,
) -> FeeItem:
    """A fee item of the estate, with its first price when one is given."""
    if by is not None:
        require(by, estate, perm.FEE_ITEM_MANAGE)
    code = clean_text(code, field="code", max_length=32, required=True)
    if not code.replace("_", "").isalnum() or not code.isascii():
        raise DomainError("invalid", _("Letters, digits and _ only."), field="code")
    if basis not in FeeItem.Basis.values:
        raise DomainError("invalid", _("Unknown basis."), field="basis")
    if cycle not in FeeItem.Cycle.values:
        raise DomainError("invalid", _("Unknown billing cycle."), field="cycle")
    if not 1 <= due_day <= 28:
        raise DomainError("invalid", _("The due day is 1 to 28."), field="due_day")
    if not 1 <= cycle_start_month <= 12:
        raise DomainError("invalid", _("A month is 1 to 12."), field="cycle_start_month")
    if not -12 <= due_month_offset <= 12:
        raise DomainError("invalid", _("At most 12 months."), field="due_month_offset")
    for name_, rate in (
        ("late_fee_daily_rate", late_fee_daily_rate),
        ("late_fee_cap_rate", late_fee_cap_rate),
    ):
        if rate is not None and Decimal(rate) < 0:
            raise DomainError("invalid", _("A rate cannot be negative."), field=name_)
    if FeeItem.objects.filter(estate=estate, code=code).exists():
        raise DomainError("conflict", _("This code is already used."), field="code")
    item = FeeItem.objects.create(
        estate=estate,
        code=code,
        name=clean_text(name, field="name", max_length=50, required=True),
        basis=basis,
        cycle=cycle,
        cycle_start_month=cycle_start_month,
        due_day=due_day,
        due_month_offset=due_month_offset,
        unit_label=clean_text(unit_label, field="unit_label", max_length=16),
        late_fee_daily_rate=late_fee_daily_rate,
        late_fee_cap_rate=late_fee_cap_rate,
    )
    if price is not None:
        if valid_from is None:
            raise DomainError("invalid", _("Say from when the price is valid."), field="valid_from")
        fee_price_set(fee_item=item, price=price, valid_from=valid_from)
    return item


@transaction.atomic
def fee_price_set(*, fee_item: FeeItem, price, valid_from: dt.date, by=None) -> FeePrice:
    """A new price from ``valid_from``; the current price ends there. Prices are never
    rewritten, so the new one must start after the latest one starts."""
    if by is not None:
        require(by, fee_item.estate_id, perm.FEE_ITEM_MANAGE)
    price = _clean_price(price)
    FeeItem.objects.select_for_update().get(pk=fee_item.pk)
    latest = fee_item.prices.order_by("-valid_from").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise DomainError(
            "invalid",
            _("A new price must start after %(d)s, when the latest one starts.")
            % {"d": latest.valid_from},
            field="valid_from",
        )
    if latest is not None and (latest.valid_to is None or latest.valid_to > valid_from):
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
    return FeePrice.objects.create(
        estate_id=fee_item.estate_id, fee_item=fee_item, price=price, valid_from=valid_from
    )


@transaction.atomic
def fee_assignment_set(
    *, unit: Unit, fee_item: FeeItem, quantity, starts_on: dt.date, by=None
) -> FeeAssignment:
    """Charge a unit a per-space item (e.g. its parking spaces) from ``starts_on``."""
    if by is not None:
        require(by, unit.estate_id, perm.FEE_ITEM_MANAGE)
    if fee_item.estate_id != unit.estate_id:
        raise DomainError(
            "invalid", _("This fee item belongs to another estate."), field="fee_item"
        )
    quantity = clean_amount(quantity, field="quantity")
    FeeAssignment.objects.filter(
        unit=unit, fee_item=fee_item, ends_on__isnull=True, starts_on__lt=starts_on
    ).update(ends_on=starts_on)
    assignment, _created = FeeAssignment.objects.update_or_create(
        unit=unit,
        fee_item=fee_item,
        starts_on=starts_on,
        defaults={"estate_id": unit.estate_id, "quantity": quantity, "ends_on": None},
    )
    return assignment
