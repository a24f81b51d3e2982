"""The arrears notice of a unit (催缴通知单), alone or for a whole estate in one PDF."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4

from estate.models import Estate, Unit
from fees import selectors
from fees.models import Bill
from fees.pdf.sheet import Sheet, yuan
from fees.pdf.words import amount_in_words

NOTICE_DAYS = 15


def _notice_page(sheet: Sheet, unit: Unit, bills: list[Bill], today: dt.date, name: str):
    estate = unit.estate
    sheet.text(estate.name, 16, align="center")
    sheet.text(_("Notice of arrears"), 20, align="center", gap=2)
    sheet.text(_("Dear owner of unit %(u)s %(n)s,") % {"u": unit.number, "n": name}, 11, gap=2)
    sheet.text(
        _(
            "By %(d)s the following fees of your unit are overdue. Please pay them within %(k)d days."
        )
        % {"d": today.isoformat(), "k": NOTICE_DAYS},
        10,
        gap=2,
    )
    rows, owed, fees = [], Decimal("0.00"), Decimal("0.00")
    for bill in bills:
        outstanding = bill.amount_due - bill.amount_paid
        fee = selectors.late_fee(bill, today=today)
        owed += outstanding
        fees += fee
        rows.append(
            [
                bill.fee_item.name,
                bill.period,
                bill.due_date.isoformat(),
                f"{(today - bill.due_date).days}",
                f"{bill.amount_due:,.2f}",
                f"{outstanding:,.2f}",
                f"{fee:,.2f}",
            ]
        )
    sheet.table(
        [
            _("Fee item"),
            _("Period"),
            _("Due date"),
            _("Days overdue"),
            _("Amount due"),
            _("Owed"),
            _("Late fee"),
        ],
        rows,
        [0.2, 0.1, 0.14, 0.12, 0.15, 0.15, 0.14],
        right=(3, 4, 5, 6),
    )
    sheet.rule()
    sheet.pair(_("Total owed"), yuan(owed), 12)
    sheet.text(_("Amount in words (RMB): %(w)s") % {"w": amount_in_words(owed)}, 11)
    if fees:
        sheet.pair(_("Late fees under the item rules"), yuan(fees), 10)
    sheet.y -= 20
    if estate.service_phone:
        sheet.text(_("Service phone: %(p)s") % {"p": estate.service_phone}, 10)
    sheet.text(_("%(e)s property service centre") % {"e": estate.name}, 10, align="right")
    sheet.text(today.isoformat(), 10, align="right")


def _primary_names(unit_ids: list[int]) -> dict[int, str]:
    from residents.models import Occupancy

    return dict(
        Occupancy.objects.filter(
            unit_id__in=unit_ids, is_primary=True, ended_on__isnull=True
        ).values_list("unit_id", "resident__name")
    )


def arrears_notices_pdf(
    *, estate: Estate, today: dt.date, units: list[Unit] | None = None
) -> bytes:
    """Arrears notices, one page per unit in arrears (or per unit given), in one PDF for
    batch printing; a fixed number of queries whatever the number of units."""
    qs = selectors.overdue_bills(estate=estate, today=today).select_related("fee_item", "unit")
    if units is not None:
        qs = qs.filter(unit__in=units)
    by_unit: dict[int, list[Bill]] = defaultdict(list)
    for bill in qs.order_by("unit__number", "due_date", "id"):
        bill.unit.estate = estate
        by_unit[bill.unit_id].append(bill)
    names = _primary_names(list(by_unit))
    sheet = Sheet(A4)
    with override("zh-hans"):
        sheet.canvas.setTitle(_("Notices of arrears, %(e)s") % {"e": estate.name})
        if not by_unit:
            sheet.text(_("No unit is in arrears."), 12)
        for i, (unit_id, bills) in enumerate(by_unit.items()):
            if i:
                sheet.page()
            _notice_page(sheet, bills[0].unit, bills, today, names.get(unit_id, ""))
        return sheet.finish()


def arrears_notice_pdf(*, unit: Unit, today: dt.date) -> bytes:
    """The arrears notice of one unit."""
    return arrears_notices_pdf(estate=unit.estate, today=today, units=[unit])
