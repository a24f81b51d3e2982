"""Patrols: a failed item opens one rectification ticket with its category's deadline;
rectification tickets stay out of every resident-facing rate; the manager's figures and
the records each links to agree; only the inspector (or a manager) walks a round."""

import datetime as dt
import re

import pytest
import time_machine

from estate.errors import DomainError
from estate.kpi import Period
from repairs import metrics, selectors
from repairs import services as repair_services
from repairs.models import Ticket
from repairs.patrols import selectors as patrol_selectors
from repairs.patrols import services
from repairs.patrols.models import Finding, Round
from tests.factories import make_estate, make_staff
from tests.patrols.factories import make_checklist, make_round
from tests.repairs.factories import at, make_ticket

WHEN = at("2026-10-05 09:30")


def _record(round_, item, passed, note="", by=None, now=WHEN):
    return services.finding_record(
        round=round_, by=by or round_.inspector, item=item, passed=passed, note=note, now=now
    )


def test_a_failed_item_creates_one_rectification_ticket_with_a_deadline(db):
    estate = make_estate()
    round_ = make_round(estate)
    first, second = round_.checklist.items.all()
    finding = _record(round_, first, False, note="三楼楼道有垃圾")
    ticket = finding.ticket
    assert ticket.kind == Ticket.Kind.RECTIFICATION
    assert ticket.number.startswith("ZG-")
    assert ticket.category == round_.checklist.category
    assert ticket.resolve_due_at == WHEN + dt.timedelta(days=1)  # the category's 24 h
    assert ticket.reporter_phone_masked == "136****1111"
    with pytest.raises(DomainError) as err:
        _record(round_, first, False, note="again")
    assert err.value.code == "conflict"
    assert Ticket.objects.count() == 1 and Finding.objects.count() == 1
    round_.refresh_from_db()
    assert round_.status == Round.Status.PLANNED
    _record(round_, second, True)
    round_.refresh_from_db()
    assert round_.status == Round.Status.DONE and Ticket.objects.count() == 1
    with pytest.raises(DomainError):
        _record(round_, second, True)


def test_the_rectification_is_opened_by_who_recorded_the_failed_item(client, db):
    """Not by the manager who planned the round: by the patroller (a technician, who may not
    log tickets at the desk), and its history says which round and item opened it."""
    estate = make_estate()
    planner = make_staff(estate, "manager")
    round_ = make_round(estate, manager=planner)
    first, second = round_.checklist.items.all()
    ticket = _record(round_, first, False, note="三楼楼道有垃圾").ticket
    assert ticket.created_by == round_.inspector != planner
    created = ticket.history.get(kind="created")
    assert created.by == round_.inspector
    assert f"#{first.pk}" in created.note and first.text in created.note
    assert f"{round_.pk}" in created.note and "2026-10-05 09:00" in created.note
    # The ticket page's history shows who opened it and why.
    client.force_login(planner)
    page = client.get(f"/repairs/{ticket.pk}/").content.decode()
    assert first.text in page and round_.inspector.username in page
    # A manager recording in the inspector's place opens it in their own name.
    stand_in = make_staff(estate, "manager")
    other = _record(round_, second, False, note="垃圾桶满", by=stand_in).ticket
    assert other.created_by == stand_in
    assert other.history.get(kind="created").by == stand_in


def test_a_failure_needs_a_note_and_a_passed_item_opens_nothing(db):
    round_ = make_round(make_estate())
    item = round_.checklist.items.first()
    with pytest.raises(DomainError) as err:
        _record(round_, item, False)
    assert err.value.field == "note"
    _record(round_, item, True)
    assert not Ticket.objects.exists()


def test_only_the_inspector_or_a_manager_walks_the_round(db):
    estate = make_estate()
    round_ = make_round(estate)
    other = make_staff(estate, "technician")
    with pytest.raises(DomainError) as err:
        _record(round_, round_.checklist.items.first(), True, by=other)
    assert err.value.status == 403
    _record(round_, round_.checklist.items.first(), True, by=make_staff(estate, "manager"))


def test_rectification_is_dispatched_flagged_overdue_like_any_ticket(db):
    estate = make_estate()
    round_ = make_round(estate)
    ticket = _record(round_, round_.checklist.items.first(), False, note="脏").ticket
    manager = make_staff(estate, "manager")
    cleaner = make_staff(estate, "technician")
    repair_services.ticket_dispatch(ticket=ticket, by=manager, assignee=cleaner, now=WHEN)
    assert repair_services.tickets_flag_overdue(now=WHEN + dt.timedelta(days=2)) == 1
    ticket.refresh_from_db()
    assert ticket.is_overdue


def test_rectification_tickets_appear_in_no_resident_facing_rate(db):
    estate = make_estate()
    period = Period.month(estate.tz, "2026-10", now=at("2026-11-01 00:00"))
    resident = make_ticket(estate, now=WHEN)  # one resident repair, resolved
    desk = make_staff(estate, "manager")
    repair_services.ticket_accept(ticket=resident, by=desk, now=WHEN)
    repair_services.ticket_resolve(ticket=resident, by=desk, now=WHEN)
    round_ = make_round(estate)
    for item in round_.checklist.items.all():
        ticket = _record(round_, item, False, note="x").ticket
        manager = make_staff(estate, "manager")
        repair_services.ticket_accept(ticket=ticket, by=manager, now=WHEN)
        repair_services.ticket_resolve(ticket=ticket, by=manager, now=WHEN)
    assert Ticket.objects.filter(kind="rectification").count() == 2
    rates = metrics.compute(estate=estate, period=period)
    assert rates["repairs.timely_rate"].denominator == 1
    assert rates["complaints.timely_rate"].denominator == 0
    assert sum(r.denominator for r in rates.values()) <= 5  # only the one repair counts
    for kind in selectors.KIND_PREFIX.values():
        cohort = selectors.ticket_cohort(estate=estate, period=period, kind=kind)
        assert not cohort.filter(kind="rectification").exists()
    # Not offered to residents or the front desk, and never sampled for return visits.
    from repairs.forms import DeskForm
    from repairs.public.forms import ReportForm

    assert "rectification" not in dict(ReportForm().fields["kind"].choices)
    assert "rectification" not in dict(DeskForm().fields["kind"].choices)
    run = repair_services.return_visit_sample_create(
        estate=estate, period=period, percent=100, minimum=100
    )
    assert run.population == 1


@time_machine.travel(at("2026-10-20 12:00"), tick=False)
def test_manager_figures_link_to_exactly_their_records(db, client):
    estate = make_estate(code="PT01")
    manager = make_staff(estate, "manager")
    checklist = make_checklist(estate, manager=manager)
    done = make_round(estate, checklist=checklist, manager=manager)
    make_round(estate, checklist=checklist, manager=manager, when="2026-10-06 09:00")
    first, second = checklist.items.all()
    ticket = _record(done, first, False, note="x").ticket
    _record(done, second, True)
    repair_services.ticket_accept(ticket=ticket, by=manager, now=WHEN)
    repair_services.ticket_resolve(ticket=ticket, by=manager, now=WHEN + dt.timedelta(hours=2))

    months = patrol_selectors.months_back(dt.date(2026, 10, 1), 6)
    october = dt.date(2026, 10, 1)
    assert patrol_selectors.round_figures(estate=estate, months=months)[october] == {
        "planned": 2,
        "done": 1,
    }
    rect = patrol_selectors.rectification_figures(estate=estate, months=months)[october]
    assert rect == {"numerator": 1, "denominator": 1}
    (row,) = patrol_selectors.finding_figures(estate=estate, months=months)
    assert row["item_id"] == first.pk and row["counts"][october] == 1

    client.force_login(manager)
    page = client.get("/patrols/?estate=PT01&month=2026-10")
    assert page.status_code == 200
    r = client.get("/patrols/rounds/?estate=PT01&month=2026-10&part=done")
    assert r.content.decode().count("/patrols/rounds/") - 0 >= 1
    assert list(patrol_selectors.rounds(estate=estate, month=october, part="done")) == [done]
    r = client.get("/patrols/rectifications/?estate=PT01&month=2026-10&part=numerator")
    assert ticket.number in r.content.decode()
    r = client.get(f"/patrols/findings/?estate=PT01&month=2026-10&item={first.pk}")
    assert ticket.number in r.content.decode()


@time_machine.travel(WHEN, tick=False)
def test_the_phone_page_records_a_failure_with_the_form_kept_on_error(db, client):
    estate = make_estate(code="PT02")
    round_ = make_round(estate)
    item = round_.checklist.items.first()
    client.force_login(round_.inspector)
    assert client.get("/patrols/mine/?estate=PT02").status_code == 200
    url = f"/patrols/rounds/{round_.pk}/"
    r = client.post(
        url, {"item": item.pk, f"i{item.pk}-passed": "0", f"i{item.pk}-location": "3栋"}
    )
    assert r.status_code == 400 and f'id="id_i{item.pk}-note_error"' in r.content.decode()
    assert 'value="3栋"' in r.content.decode()
    r = client.post(url, {"item": item.pk, f"i{item.pk}-passed": "0", f"i{item.pk}-note": "脏"})
    assert r.status_code == 302
    assert Finding.objects.get().ticket.kind == "rectification"
    other = make_staff(estate, "technician")
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.get("/patrols/?estate=PT02").status_code == 403


def test_planning_checks_its_inputs(db):
    estate, other = make_estate(), make_estate()
    manager = make_staff(estate, "manager")
    checklist = make_checklist(estate, manager=manager)
    base = {
        "estate": estate,
        "by": manager,
        "checklist": checklist,
        "inspector": make_staff(estate, "technician"),
        "inspector_phone": "13600001111",
        "planned_for": at("2026-10-05 09:00"),
        "now": at("2026-10-05 08:00"),
    }
    for change, field in [
        ({"inspector": make_staff(other, "technician")}, "inspector"),
        ({"inspector_phone": "123"}, "inspector_phone"),
        ({"planned_for": at("2028-10-05 09:00")}, "planned_for"),
    ]:
        with pytest.raises(DomainError) as err:
            services.round_plan(**(base | change))
        assert err.value.field == field
    with pytest.raises(DomainError) as err:
        services.round_plan(**(base | {"by": make_staff(estate, "front_desk")}))
    assert err.value.status == 403


@time_machine.travel(at("2026-10-20 12:00"), tick=False)
@pytest.mark.parametrize("rows", [1, 30])
def test_overview_and_rounds_list_run_a_fixed_number_of_queries(
    db, client, django_assert_num_queries, rows
):
    estate = make_estate(code="PT03")
    manager = make_staff(estate, "manager")
    checklist = make_checklist(estate, manager=manager)
    inspector = make_staff(estate, "technician")
    for i in range(rows):
        round_ = make_round(
            estate,
            checklist=checklist,
            manager=manager,
            inspector=inspector,
            when=f"2026-10-{1 + i % 28:02d} 09:00",
        )
        _record(round_, checklist.items.first(), False, note="x", now=round_.planned_for)
    client.force_login(manager)
    client.get("/patrols/?estate=PT03&month=2026-10")
    # session, user, user and group permissions, memberships, the estate by code; the three
    # figures (rounds, findings, rectifications); the checklists; the plan form's checklists
    # and inspectors; the frame: switcher estates, unread notifications, current estate
    with django_assert_num_queries(15):
        assert client.get("/patrols/?estate=PT03&month=2026-10").status_code == 200
    # the same six, the frame's three, the rounds with checklist and inspector
    with django_assert_num_queries(10):
        r = client.get("/patrols/rounds/?estate=PT03&month=2026-10&part=planned")
    assert len(set(re.findall(r'href="/patrols/rounds/(\d+)/"', r.content.decode()))) == rows
