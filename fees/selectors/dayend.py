"""Day-end (日结): what an estate, or one cashier, took on one local day, by payment method.

A payment counts on the estate's local day of its ``received_at`` (when the money was taken),
under the cashier who recorded it. Reversals stand apart: those recorded on the day (their
``created_at``), under the method and cashier of the payment they undo — a payment taken and
reversed on the same day shows in both, so "received" always adds up to the payments recorded
for the day and "net" is what should be in hand."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from estate import localtime
from estate.integrity import user_display_name
from estate.models import Estate
from fees.models import Payment, Reversal
from fees.selectors.common import ZERO


@dataclass
class MethodLine:
    method: str
    label: str
    count: int = 0
    amount: Decimal = Decimal("0.00")
    reversed_count: int = 0
    reversed_amount: Decimal = Decimal("0.00")

    @property
    def net(self) -> Decimal:
        return self.amount - self.reversed_amount


@dataclass
class DayEnd:
    estate: Estate
    day: dt.date
    cashier_id: int | None
    cashier_name: str
    lines: list[MethodLine]
    payments: list[Payment] = field(default_factory=list)
    reversals: list[Reversal] = field(default_factory=list)

    @property
    def total(self) -> MethodLine:
        out = MethodLine("", "")
        for line in self.lines:
            out.count += line.count
            out.amount += line.amount
            out.reversed_count += line.reversed_count
            out.reversed_amount += line.reversed_amount
        return out


def _bounds(estate: Estate, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return localtime.day_start(day, estate), localtime.day_start(day + dt.timedelta(days=1), estate)


def day_cashiers(*, estate: Estate, day: dt.date) -> list[tuple[int, str]]:
    """(user id, display name) of everyone who took a payment on the day, or recorded one
    that was reversed on it; one query."""
    start, end = _bounds(estate, day)
    rows = (
        Payment.objects.filter(estate=estate, created_by__isnull=False)
        .filter(received_at__gte=start, received_at__lt=end)
        .values_list(
            "created_by_id",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
        )
        .distinct()
        .order_by("created_by__username")
    )
    return [(pk, (f"{first} {last}".strip() or username)) for pk, first, last, username in rows]


def day_end(*, estate: Estate, day: dt.date, cashier=None, with_lists: bool = True) -> DayEnd:
    """The day's summary by method (every method listed, zeros included), and with
    ``with_lists`` the payments and reversals behind it. Two aggregate queries, plus one for
    each list."""
    start, end = _bounds(estate, day)
    payments = Payment.objects.filter(estate=estate, received_at__gte=start, received_at__lt=end)
    reversals = Reversal.objects.filter(estate=estate, created_at__gte=start, created_at__lt=end)
    if cashier is not None:
        payments = payments.filter(created_by=cashier)
        reversals = reversals.filter(payment__created_by=cashier)
    lines = {value: MethodLine(value, str(label)) for value, label in Payment.Method.choices}
    for row in (
        payments.order_by()
        .values("method")
        .annotate(count=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    ):
        lines[row["method"]].count = row["count"]
        lines[row["method"]].amount = row["amount"]
    for row in (
        reversals.order_by()
        .values("payment__method")
        .annotate(count=Count("id"), amount=Coalesce(Sum("payment__amount"), ZERO))
    ):
        lines[row["payment__method"]].reversed_count = row["count"]
        lines[row["payment__method"]].reversed_amount = row["amount"]
    out = DayEnd(
        estate=estate,
        day=day,
        cashier_id=cashier.pk if cashier is not None else None,
        cashier_name=user_display_name(cashier) if cashier is not None else "",
        lines=list(lines.values()),
    )
    if with_lists:
        out.payments = list(
            payments.select_related("unit", "created_by", "reversal").order_by("received_at", "id")
        )
        out.reversals = list(
            reversals.select_related("payment", "payment__unit", "created_by").order_by(
                "created_at", "id"
            )
        )
    return out
