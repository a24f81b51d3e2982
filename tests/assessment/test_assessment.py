"""Staff assessment: for a hand-built month, the technicians' "resolutions on time" add up to
the estate's timeliness numerator for tickets with an assignee, and each person's figure
links to exactly their tickets; a technician sees only their own figures."""

import datetime as dt

import pytest
import time_machine

from estate.assessment import registry
from estate.assessment.models import TrainingSession
from estate.errors import DomainError
from estate.kpi import Period
from estate.localtime import month_bounds
from repairs import metrics, selectors
from repairs import services as repair_services
from tests.factories import make_estate, make_staff
from tests.repairs.factories import at, make_category, make_ticket

NOW = at("2026-11-01 00:00")


def _ticket(estate, category, desk, tech, reported, resolved=None):
    ticket = make_ticket(estate, category=category, now=at(reported))
    if tech is not None:
        repair_services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech, now=at(reported))
    else:
        repair_services.ticket_accept(ticket=ticket, by=desk, now=at(reported))
    if resolved:
        repair_services.ticket_resolve(ticket=ticket, by=desk, now=at(resolved))
    return ticket


@pytest.fixture
def month(db):
    """October 2026: 24 h to resolve. Wang: two on time, one late. Li: one on time, one still
    open past its deadline. One on time without an assignee."""
    estate = make_estate(code="AS01")
    desk = make_staff(estate, "front_desk")
    wang, li = make_staff(estate, "technician"), make_staff(estate, "technician")
    category = make_category(estate, resolve=24 * 60)
    t = {
        "w1": _ticket(estate, category, desk, wang, "2026-10-02 09:00", "2026-10-02 15:00"),
        "w2": _ticket(estate, category, desk, wang, "2026-10-10 09:00", "2026-10-11 08:00"),
        "w3": _ticket(estate, category, desk, wang, "2026-10-12 09:00", "2026-10-14 09:00"),
        "l1": _ticket(estate, category, desk, li, "2026-10-20 09:00", "2026-10-20 10:00"),
        "l2": _ticket(estate, category, desk, li, "2026-10-25 09:00"),
        "n1": _ticket(estate, category, desk, None, "2026-10-26 09:00", "2026-10-26 10:00"),
    }
    return estate, desk, wang, li, t


def test_resolutions_on_time_add_up_to_the_estates_numerator(month):
    estate, _desk, wang, li, t = month
    start, end = month_bounds(2026, 10, estate)
    figures = registry.compute_all(estate=estate, start=start, end=end, now=NOW)
    on_time = figures["resolutions_on_time"]
    assert on_time == {wang.pk: 2, li.pk: 1}
    period = Period.month(estate.tz, "2026-10", now=NOW)
    numerator = selectors.metric_tickets(
        estate=estate, period=period, key="repairs.timely_rate", part="numerator"
    )
    assert sum(on_time.values()) == numerator.filter(assignee__isnull=False).count() == 3
    assert metrics.compute(estate=estate, period=period)["repairs.timely_rate"].numerator == 4
    assert figures["tickets_handled"] == {wang.pk: 3, li.pk: 2}

    figure = registry.get("resolutions_on_time")
    linked = figure.records(estate, start, end, NOW, wang.pk)
    assert [label for label, _url in linked] == [t["w1"].number, t["w2"].number]
    assert [label for label, _url in figure.records(estate, start, end, NOW, li.pk)] == [
        t["l1"].number
    ]


@time_machine.travel(NOW, tick=False)
def test_pages_a_manager_sees_all_a_technician_only_themself(month, client):
    estate, _desk, wang, li, t = month
    manager = make_staff(estate, "manager")
    client.force_login(manager)
    page = client.get("/assessment/?estate=AS01&month=2026-10").content.decode()
    assert wang.username in page and li.username in page
    r = client.get(
        f"/assessment/records/?estate=AS01&month=2026-10&user={wang.pk}&figure=resolutions_on_time"
    )
    body = r.content.decode()
    assert t["w1"].number in body and t["w2"].number in body and t["w3"].number not in body

    client.force_login(li)
    page = client.get("/assessment/?estate=AS01&month=2026-10").content.decode()
    assert li.username in page and wang.username not in page
    r = client.get(
        f"/assessment/records/?estate=AS01&month=2026-10&user={wang.pk}&figure=resolutions_on_time"
    )
    assert r.status_code == 404
    r = client.get(
        f"/assessment/records/?estate=AS01&month=2026-10&user={li.pk}&figure=resolutions_on_time"
    )
    assert r.status_code == 200 and t["l1"].number in r.content.decode()
    assert client.get("/assessment/trainings/new/?estate=AS01").status_code == 403


def test_another_estates_staff_page_is_404(month, client):
    other = make_estate(code="AS02")
    client.force_login(make_staff(other, "manager"))
    assert client.get("/assessment/?estate=AS01").status_code == 404
    _e, _d, wang, _li, _t = month
    r = client.get(f"/assessment/records/?estate=AS01&user={wang.pk}&figure=tickets_handled")
    assert r.status_code == 404


def test_training_sessions_record_who_passed(month, client):
    estate, desk, wang, li, _t = month
    manager = make_staff(estate, "manager")
    client.force_login(manager)
    r = client.post(
        "/assessment/trainings/new/?estate=AS01",
        {
            "title": "服务礼仪",
            "date": "2026-10-15",
            "trainer": "张老师",
            "passed": [wang.pk, li.pk],
            "failed": [desk.pk],
        },
    )
    assert r.status_code == 302
    session = TrainingSession.objects.get()
    assert {(a.user_id, a.passed) for a in session.attendances.all()} == {
        (wang.pk, True),
        (li.pk, True),
        (desk.pk, False),
    }
    from estate.assessment import services

    outsider = make_staff(make_estate(code="AS03"), "technician")
    with pytest.raises(DomainError) as err:
        services.training_record(
            estate=estate,
            by=manager,
            title="x",
            date=dt.date(2026, 10, 1),
            trainer="x",
            passed=[outsider.pk],
        )
    assert err.value.field == "passed"


def test_every_figure_is_one_query_whatever_the_staff(month, django_assert_num_queries):
    estate = month[0]
    start, end = month_bounds(2026, 10, estate)
    with django_assert_num_queries(len(registry.figures())):
        registry.compute_all(estate=estate, start=start, end=end, now=NOW)


def test_payments_taken_count_the_cashiers_payments_not_reversed(db):
    from decimal import Decimal

    from django.utils import timezone

    from fees import services as fee_services
    from tests.factories import make_unit
    from tests.fees.factories import make_bill

    estate = make_estate(code="AS04")
    unit = make_unit(estate, "1-1-101")
    make_bill(unit, "100.00")
    cashier = make_staff(estate, "finance")
    payment = fee_services.payment_record(
        unit=unit, amount=Decimal("30.00"), method="wechat", idempotency_key="a", by=cashier
    )
    now = timezone.now()
    local = now.astimezone(estate.tz)
    start, end = month_bounds(local.year, local.month, estate)
    figure = registry.get("payments_taken")
    assert figure.compute(estate, start, end, now) == {cashier.pk: 1}
    (label, url) = figure.records(estate, start, end, now, cashier.pk)[0]
    assert label.startswith("1-1-101") and url == f"/fees/units/{unit.pk}/"
    assert payment.pk
