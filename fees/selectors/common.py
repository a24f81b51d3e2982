"""What the fees selectors share: money expressions and the unit-number filter."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Value

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
OUTSTANDING = ExpressionWrapper(F("amount_due") - F("amount_paid"), output_field=MONEY_FIELD)


def unit_number_q(value: str, prefix: str = "unit__number") -> Q:
    """The unit itself, or every unit of a building or entrance: "3-2" finds 3-2-1501."""
    value = value.strip().rstrip("-")
    return Q(**{prefix: value}) | Q(**{f"{prefix}__startswith": f"{value}-"})
