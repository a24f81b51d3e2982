"""The cashier desk (收银台): find a unit as you type, see what it owes, take a payment in a
few keystrokes, print the receipt.

The payment form carries an idempotency key made when the form is shown, so a double click or
a browser retry records one payment and answers with the same receipt."""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from estate import localtime, scoping
from estate.errors import DomainError
from estate.pages import estate_page, forbidden, pdf_response
from fees import pdf, selectors, services
from fees import permissions as perm
from fees.forms import PaymentForm, ReasonForm
from fees.views.common import form_error, may_see_payment, scoped_payment, scoped_unit

SEARCH_LIMIT = 20
MAX_QUERY = 32


@estate_page(perm.PAYMENT_RECORD)
def cashier(request, estate):
    """Search a unit by its number, or a resident's name or phone (full or last four); with htmx the results follow the typing, without it
    Enter on a single match (or an exact number) goes straight to the unit."""
    q = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    units = (
        selectors.cashier_units(user=request.user, estate=estate, q=q, limit=SEARCH_LIMIT)
        if q
        else []
    )
    if request.headers.get("HX-Request"):
        return render(request, "fees/_cashier_results.html", {"units": units, "q": q})
    exact = [u for u in units if u.number == q]
    if len(exact) == 1 or (q and len(units) == 1):
        return redirect("fees:cashier_unit", unit_id=(exact or units)[0].pk)
    return render(
        request,
        "fees/cashier.html",
        {
            "estate": estate,
            "q": q,
            "units": units,
            "desk": selectors.desk_today(estate=estate, user=request.user),
        },
    )


def _render_unit(request, unit, form, status=200):
    bills = list(selectors.open_bills(unit))
    owed = sum((b.outstanding for b in bills), Decimal("0.00"))
    today = localtime.today(unit.estate)
    ticked = set(form["bills"].value() or []) if form.is_bound else set()
    return render(
        request,
        "fees/cashier_unit.html",
        {
            "estate": unit.estate,
            "unit": unit,
            "bills": bills,
            "ticked": {str(t) for t in ticked},
            "owed": owed,
            "overdue": sum((b.outstanding for b in bills if b.due_date < today), Decimal("0.00")),
            "credit": selectors.unit_credit(unit),
            "contact": selectors.primary_contacts([unit.pk]).get(unit.pk),
            "form": form,
            "today": today,
        },
        status=status,
    )


@login_required
def cashier_unit(request, unit_id: int):
    """What the unit owes, oldest first, and the payment form: the amount is the total owed,
    the payer the unit's primary contact; one Enter records it and shows the receipt."""
    unit = scoped_unit(request, unit_id)
    if not scoping.can(request.user, unit.estate, perm.PAYMENT_RECORD):
        return forbidden(request)
    if request.method != "POST":
        owed = sum((b.outstanding for b in selectors.open_bills(unit)), Decimal("0.00"))
        contact = selectors.primary_contacts([unit.pk]).get(unit.pk)
        form = PaymentForm(
            initial={
                "amount": owed if owed > 0 else "",
                "payer": contact.name if contact else "",
                "idempotency_key": uuid.uuid4().hex,
            }
        )
        return _render_unit(request, unit, form)
    form = PaymentForm(request.POST)
    with timezone.override(unit.estate.tz):
        valid = form.is_valid()
    if not valid:
        return _render_unit(request, unit, form, status=422)
    data = form.cleaned_data
    try:
        payment = services.payment_record(
            unit=unit,
            amount=data["amount"],
            method=data["method"],
            payer=data["payer"],
            reference=data["reference"],
            received_at=data["received_at"],
            idempotency_key=data["idempotency_key"],
            bills=form.bill_ids(),
            by=request.user,
        )
    except DomainError as exc:
        form_error(form, exc)
        if exc.field == "idempotency_key":
            # The key belongs to another payment: a new one lets the cashier send it knowingly.
            form.data = form.data.copy()
            form.data["idempotency_key"] = uuid.uuid4().hex
        return _render_unit(request, unit, form, status=exc.status)
    messages.success(
        request,
        _("Payment %(n)s of %(a)s yuan recorded.") % {"n": payment.number, "a": payment.amount},
    )
    return redirect("fees:payment", payment_id=payment.pk)


@login_required
@require_POST
def credit_use(request, unit_id: int):
    """Spend the unit's credit on its open bills now, oldest first."""
    unit = scoped_unit(request, unit_id)
    if not scoping.can(request.user, unit.estate, perm.PAYMENT_RECORD):
        return forbidden(request)
    used = services.credit_apply(unit=unit, by=request.user)
    messages.success(request, _("%(a)s yuan of credit used for open bills.") % {"a": used})
    return redirect("fees:cashier_unit", unit_id=unit.pk)


def render_payment(request, payment, reverse_form=None, status=200):
    allocations = selectors.payment_allocations(payment)
    allocated = sum((a.amount for a in allocations), Decimal("0.00"))
    reversed_ = hasattr(payment, "reversal")
    can_reverse = not reversed_ and scoping.can(request.user, payment.estate, perm.PAYMENT_REVERSE)
    return render(
        request,
        "fees/payment.html",
        {
            "estate": payment.estate,
            "payment": payment,
            "allocations": allocations,
            "to_credit": payment.amount - allocated,
            "in_words": pdf.amount_in_words(payment.amount),
            "reversed": reversed_,
            "reverse_form": reverse_form or (ReasonForm() if can_reverse else None),
        },
        status=status,
    )


@login_required
def payment_detail(request, payment_id: int):
    """A payment as its receipt says it, with the receipt to print (A4 or 80 mm)."""
    payment = scoped_payment(request, payment_id)
    if not may_see_payment(request.user, payment.estate):
        return forbidden(request)
    return render_payment(request, payment)


@login_required
def receipt_pdf(request, payment_id: int):
    payment = scoped_payment(request, payment_id)
    if not may_see_payment(request.user, payment.estate):
        return forbidden(request)
    size = request.GET.get("size") if request.GET.get("size") in pdf.SIZES else "a4"
    return pdf_response(pdf.receipt_pdf(payment, size=size), f"{payment.number}.pdf")
