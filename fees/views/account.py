"""A unit's account (房屋账户): its bills, payments with what they paid, reversals and credit,
a statement; and the corrections finance may make (reverse a payment, void or reissue a bill),
each with a reason."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from estate import localtime, scoping
from estate.errors import DomainError
from estate.pages import forbidden
from fees import permissions as perm
from fees import selectors, services
from fees.forms import ReasonForm, StatementForm, VoidForm
from fees.views.cashier import render_payment
from fees.views.common import form_error, scoped_payment, scoped_unit


def _render_account(request, unit, *, void=None, reverse_=None, status=200):
    """The account page; ``void``/``reverse_`` are (object id, bound form) of a refused
    correction, shown again in its row with the error."""
    estate = unit.estate
    bills = list(selectors.unit_bills(unit))
    payments = list(selectors.unit_payments(unit))
    today = localtime.today(estate)
    live = [b for b in bills if b.voided_at is None]
    owed = sum((b.outstanding for b in live), Decimal("0.00"))
    overdue = sum((b.outstanding for b in live if b.due_date < today), Decimal("0.00"))
    can_void = scoping.can(request.user, estate, perm.BILL_VOID)
    can_reverse = scoping.can(request.user, estate, perm.PAYMENT_REVERSE)
    for bill in bills:
        if void and void[0] == bill.pk:
            bill.void_form = void[1]
        elif can_void and bill.voided_at is None and bill.amount_paid == 0:
            bill.void_form = VoidForm(prefix=f"v{bill.pk}")
        else:
            bill.void_form = None
    for payment in payments:
        if reverse_ and reverse_[0] == payment.pk:
            payment.reverse_form = reverse_[1]
        elif can_reverse and not hasattr(payment, "reversal"):
            payment.reverse_form = ReasonForm(prefix=f"r{payment.pk}")
        else:
            payment.reverse_form = None
    return render(
        request,
        "fees/account.html",
        {
            "estate": estate,
            "unit": unit,
            "bills": bills,
            "payments": payments,
            "owed": owed,
            "overdue": overdue,
            "credit": selectors.unit_credit(unit),
            "contact": selectors.primary_contacts([unit.pk]).get(unit.pk),
            "today": today,
            "can_take_payment": scoping.can(request.user, estate, perm.PAYMENT_RECORD),
            "can_remind": scoping.can(request.user, estate, perm.REMINDER_RECORD),
            "open_error": void is not None or reverse_ is not None,
        },
        status=status,
    )


@login_required
def account(request, unit_id: int):
    unit = scoped_unit(request, unit_id)
    if not scoping.can(request.user, unit.estate, perm.VIEW):
        return forbidden(request)
    return _render_account(request, unit)


@login_required
def statement(request, unit_id: int):
    """The unit's statement (对账单) for a date range: opening balance, every charge and
    payment with the running balance, closing balance. Printable."""
    unit = scoped_unit(request, unit_id)
    if not scoping.can(request.user, unit.estate, perm.VIEW):
        return forbidden(request)
    form = StatementForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    result = selectors.unit_statement(unit=unit, start=data.get("start"), end=data.get("end"))
    return render(
        request,
        "fees/statement.html",
        {
            "estate": unit.estate,
            "unit": unit,
            "form": form,
            "statement": result,
            "contact": selectors.primary_contacts([unit.pk]).get(unit.pk),
            "credit": selectors.unit_credit(unit),
            "start": data.get("start"),
            "end": data.get("end"),
            "today": localtime.today(unit.estate),
        },
        status=200 if valid else 422,
    )


@login_required
@require_POST
def bill_void(request, bill_id: int):
    """Void a bill with a reason, optionally reissuing it for the right amount."""
    bill = selectors.bill_for_void(user=request.user, bill_id=bill_id)
    unit = bill.unit
    if not scoping.can(request.user, unit.estate, perm.BILL_VOID):
        return forbidden(request)
    form = VoidForm(request.POST, prefix=f"v{bill.pk}")
    if not form.is_valid():
        return _render_account(request, unit, void=(bill.pk, form), status=422)
    try:
        services.bill_void(
            bill=bill,
            reason=form.cleaned_data["reason"],
            reissue_amount=form.cleaned_data["reissue_amount"] or None,
            by=request.user,
        )
    except DomainError as exc:
        form_error(form, exc)
        return _render_account(request, unit, void=(bill.pk, form), status=exc.status)
    messages.success(request, _("Bill %(n)s voided.") % {"n": bill.number})
    return redirect(reverse("fees:account", kwargs={"unit_id": unit.pk}) + "#bills")


@login_required
@require_POST
def payment_reverse(request, payment_id: int):
    """Reverse a posted payment with a reason (冲正); its bills are owed again."""
    payment = scoped_payment(request, payment_id)
    if not scoping.can(request.user, payment.estate, perm.PAYMENT_REVERSE):
        return forbidden(request)
    from_receipt = request.POST.get("back") == "payment"
    form = ReasonForm(request.POST, prefix=None if from_receipt else f"r{payment.pk}")

    def refused(status):
        if from_receipt:
            return render_payment(request, payment, reverse_form=form, status=status)
        unit = scoped_unit(request, payment.unit_id)
        return _render_account(request, unit, reverse_=(payment.pk, form), status=status)

    if not form.is_valid():
        return refused(422)
    try:
        reversal = services.payment_reverse(
            payment=payment, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as exc:
        form_error(form, exc)
        return refused(exc.status)
    messages.success(
        request, _("Payment %(p)s reversed (%(n)s).") % {"p": payment.number, "n": reversal.number}
    )
    if from_receipt:
        return redirect("fees:payment", payment_id=payment.pk)
    return redirect(reverse("fees:account", kwargs={"unit_id": payment.unit_id}) + "#payments")
