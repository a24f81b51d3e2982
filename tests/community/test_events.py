import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from community import services
from community.models import Event, SignUp
from estate.errors import DomainError
from fees.models import Bill
from tests.community.factories import make_event, sign_up
from tests.community.invariants import assert_event_invariants
from tests.factories import make_unit


def test_full_event_waitlists_and_a_cancellation_promotes_exactly_one_and_tells_them(
    estate_a, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "estate.sms.LogSender.send", lambda self, phone, text: sent.append((phone, text))
    )
    event = make_event(estate_a, capacity=2)
    a, b = sign_up(event, name="甲"), sign_up(event, name="乙")
    c = sign_up(event, name="丙", phone="13911112222")
    d = sign_up(event, name="丁")
    assert [s.status for s in (a, b, c, d)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.signup_cancel(signup=a)

    assert [s.pk for s in promoted] == [c.pk]
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == ("confirmed", "waitlisted")
    assert c.promoted_at is not None
    assert len(sent) == 1 and sent[0][0] == "13911112222"
    assert_event_invariants()


def test_a_larger_party_does_not_jump_the_wait_list(estate_a):
    event = make_event(estate_a, capacity=3)
    sign_up(event, people=2)
    waiting = sign_up(event, people=2)
    late_single = sign_up(event, people=1)
    assert waiting.status == late_single.status == "waitlisted"
    assert_event_invariants()


def test_signup_after_the_window_is_refused_and_nothing_saved(estate_a):
    event = make_event(estate_a)
    late = event.signup_closes_at + dt.timedelta(minutes=1)
    with pytest.raises(DomainError) as err:
        sign_up(event, now=late)
    assert err.value.field == "event"
    assert not SignUp.objects.exists()


def test_event_ending_before_it_starts_is_refused_and_nothing_saved(estate_a):
    now = timezone.now()
    with pytest.raises(DomainError) as err:
        make_event(
            estate_a, starts_at=now + dt.timedelta(days=2), ends_at=now + dt.timedelta(days=1)
        )
    assert err.value.field == "ends_at"
    assert not Event.objects.exists()


def test_paid_signup_with_a_unit_is_billed_once(estate_a):
    unit = make_unit(estate_a, "3-1-101")
    event = make_event(estate_a, fee="30.00")
    signup = sign_up(event, people=2, unit=unit)
    bill = Bill.objects.get()
    assert signup.bill == bill
    assert bill.amount_due == Decimal("60.00") and bill.unit == unit
    sign_up(event)  # no unit: no bill
    assert Bill.objects.count() == 1


def test_unit_of_another_estate_is_refused(estate_a, estate_b):
    event = make_event(estate_a)
    with pytest.raises(DomainError) as err:
        sign_up(event, unit=make_unit(estate_b))
    assert err.value.field == "unit"


def test_same_phone_twice_is_refused(estate_a):
    event = make_event(estate_a)
    sign_up(event, phone="13800001111")
    with pytest.raises(DomainError) as err:
        sign_up(event, phone="13800001111")
    assert err.value.field == "phone"


def test_check_in_and_feedback(estate_a):
    event = make_event(estate_a, capacity=1)
    signup = sign_up(event)
    waiting = sign_up(event)
    services.signup_check_in(signup=signup)
    with pytest.raises(DomainError):
        services.signup_check_in(signup=waiting)
    with pytest.raises(DomainError) as err:
        services.feedback_submit(signup=signup, rating=5)  # before the event
    assert err.value.field == "rating"
    after = event.ends_at + dt.timedelta(hours=1)
    with pytest.raises(DomainError) as err:
        services.feedback_submit(signup=signup, rating=6, now=after)
    assert err.value.field == "rating"
    services.feedback_submit(signup=signup, rating=4, comment="很好", now=after)
    signup.refresh_from_db()
    assert (signup.feedback_rating, signup.feedback_comment) == (4, "很好")
    with pytest.raises(DomainError):
        services.feedback_submit(signup=signup, rating=5, now=after)


def test_capacity_cannot_drop_below_confirmed(estate_a):
    event = make_event(estate_a, capacity=3)
    sign_up(event, people=3)
    fields = {
        f: getattr(event, f)
        for f in (
            "title",
            "description",
            "place",
            "place_capacity",
            "starts_at",
            "ends_at",
            "signup_opens_at",
            "signup_closes_at",
            "fee",
        )
    }
    with pytest.raises(DomainError) as err:
        services.event_update(event=event, capacity=2, **fields)
    assert err.value.field == "capacity"


def test_calling_an_event_off_tells_everyone_and_stops_sign_ups(
    estate_a, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("estate.sms.LogSender.send", lambda self, p, t: sent.append(p))
    event = make_event(estate_a, capacity=1)
    sign_up(event, phone="13800000001")
    sign_up(event, phone="13800000002")
    gone = sign_up(event, phone="13800000003")
    services.signup_cancel(signup=gone)  # on the wait list: cancelled, not told
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event)
    assert sorted(sent) == ["13800000001", "13800000002"]
    with pytest.raises(DomainError) as err:
        sign_up(event)
    assert err.value.field == "event"
