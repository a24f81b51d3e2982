"""Cancelling a paid sign-up whose bill is unpaid: voided at once when the canceller may void
bills (fees' bill_void needs a finance role); otherwise the event page lists it for finance."""

from community import services
from fees.models import Bill
from fees.services import bill_void
from tests.community.factories import make_event, sign_up
from tests.factories import make_staff, make_unit
from tests.fees.invariants import assert_fee_invariants


def test_cancelling_a_paid_sign_up_by_finance_voids_its_unpaid_bill(estate_a):
    finance = make_staff(estate_a, "finance")
    event = make_event(estate_a, fee="25.00")
    signup = sign_up(event, people=2, unit=make_unit(estate_a, "2-1-301"))
    bill = Bill.objects.get()
    assert signup.bill == bill and bill.voided_at is None

    services.signup_cancel(signup=signup, by=finance)

    bill.refresh_from_db()
    assert bill.voided_at is not None and bill.voided_by == finance
    assert event.title in bill.void_reason
    assert_fee_invariants()


def test_cancelled_by_the_front_desk_the_bill_is_listed_for_finance(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    event = make_event(estate_a, fee="25.00")
    signup = sign_up(event, unit=make_unit(estate_a, "2-1-302"))
    kept = sign_up(event, unit=make_unit(estate_a, "2-1-303"))

    services.signup_cancel(signup=signup, by=desk)

    bill = Bill.objects.get(pk=signup.bill_id)
    assert bill.voided_at is None  # fees' void needs a finance user
    client.force_login(desk)
    page = client.get(f"/community/events/{event.pk}/").content.decode()
    assert bill.number in page and Bill.objects.get(pk=kept.bill_id).number not in page

    # Finance voids it from the unit's account; the list is empty again.
    finance = make_staff(estate_a, "finance")
    bill_void(bill=bill, reason="活动报名已取消", by=finance)
    page = client.get(f"/community/events/{event.pk}/").content.decode()
    assert bill.number not in page
    assert_fee_invariants()
