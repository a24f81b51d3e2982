"""The application's life through the services: approval path, deposit, start, patrols,
violations, acceptance, refund; and bad input refused with nothing saved."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from estate.errors import DomainError
from estate.models import Notification, Unit
from fees.models import Bill, DepositRefund, OneOffKind
from renovation import services, workflow
from renovation.models import Application, ApplicationEvent, Drawing, Violation
from renovation.services import applications as app_services
from tests.factories import make_estate, make_staff, make_unit
from tests.fees.invariants import assert_fee_invariants
from tests.renovation.factories import (
    app_data,
    make_application,
    make_renovating,
    pay_deposit,
)

S = Application.Status


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


@pytest.fixture
def manager(estate_a):
    return make_staff(estate_a, "manager")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


# The approval path -----------------------------------------------------------------------------


def test_routine_works_are_approved_by_the_front_desk_and_bill_the_deposit(estate_a, desk):
    app = make_application(estate_a, by=desk)
    assert not app.non_routine and app.status == S.SUBMITTED
    app = services.application_transition(application=app, action="approve", by=desk)
    assert app.status == S.APPROVED
    bill = app.deposit_bill
    assert bill.fee_item.code == OneOffKind.RENOVATION_DEPOSIT
    assert bill.amount_due == Decimal("2000.00") and bill.unit_id == app.unit_id


def test_non_routine_works_need_the_desk_check_and_a_managers_review(estate_a, desk, manager):
    app = make_application(estate_a, by=desk, work_types=["painting", "wall_change"])
    assert app.non_routine
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="approve", by=desk)
    assert exc.value.status == 409 and "经理" in exc.value.message
    app = services.application_transition(application=app, action="check", by=desk)
    assert app.status == S.CHECKED
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="approve", by=desk)
    assert exc.value.status == 403
    assert Application.objects.get(pk=app.pk).status == S.CHECKED
    assert not Bill.objects.exists()
    app = services.application_transition(application=app, action="approve", by=manager)
    assert app.status == S.APPROVED and app.deposit_bill is not None


def test_the_second_review_is_by_someone_else_than_the_checker(estate_a, manager):
    app = make_application(estate_a, by=manager, work_types=["balcony"])
    services.application_transition(application=app, action="check", by=manager)
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="approve", by=manager)
    assert exc.value.status == 409


def test_work_cannot_start_before_the_deposit_is_paid(estate_a, desk):
    app = make_application(estate_a, by=desk)
    app = services.application_transition(application=app, action="approve", by=desk)
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="start", by=desk)
    assert exc.value.status == 409 and exc.value.message == "装修押金尚未缴纳。"
    assert workflow.allowed_actions(app, desk) == []
    pay_deposit(app)
    app.refresh_from_db()
    assert workflow.allowed_actions(app, desk) == ["start"]
    app = services.application_transition(application=app, action="start", by=desk)
    assert app.status == S.RENOVATING
    assert Unit.objects.get(pk=app.unit_id).status == Unit.Status.RENOVATING


def test_illegal_transition_is_409_with_a_message(estate_a, desk):
    app = make_application(estate_a, by=desk)
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="start", by=desk)
    assert exc.value.status == 409
    assert exc.value.code == "invalid_transition"
    assert app.number in exc.value.message


def test_return_keeps_it_editable_with_the_comment_then_resubmit(estate_a, desk):
    app = make_application(estate_a, by=desk)
    with pytest.raises(DomainError) as exc:
        services.application_transition(application=app, action="return", by=desk)
    assert exc.value.field == "comment"
    app = services.application_transition(
        application=app, action="return", by=desk, comment="请补充水电图"
    )
    assert app.status == S.RETURNED and app.review_comment == "请补充水电图"
    app = services.application_update(
        application=app, data=app_data(estate_a, unit=app.unit, workers=5), by=desk
    )
    assert app.workers == 5
    app = services.application_transition(application=app, action="resubmit", by=desk)
    assert app.status == S.SUBMITTED
    assert list(
        ApplicationEvent.objects.filter(application=app).values_list("action", flat=True)
    ) == ["submit", "return", "edit", "resubmit"]


def test_rejected_application_stays_editable(estate_a, desk):
    app = make_application(estate_a, by=desk)
    app = services.application_transition(
        application=app, action="reject", by=desk, comment="承重墙不可拆"
    )
    assert workflow.can(app, "edit", desk) and workflow.can(app, "resubmit", desk)
    assert not workflow.can(app, "approve", desk)


def test_technician_may_not_take_applications(estate_a):
    with pytest.raises(DomainError) as exc:
        make_application(estate_a, by=make_staff(estate_a, "technician"))
    assert exc.value.status == 403


# Bad input: a field error and nothing saved ------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": dt.date.today() - dt.timedelta(days=1)}, "end_date"),
        ({"work_types": ["painting", "teleporter"]}, "work_types"),
        ({"work_types": []}, "work_types"),
        ({"contractor_phone": "12345"}, "contractor_phone"),
        ({"workers": 0}, "workers"),
        ({"contractor": "x" * 101}, "contractor"),
        ({"start_date": "2026-01-01"}, "start_date"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(estate_a, desk, change, field):
    data = app_data(estate_a)
    if field == "end_date":
        data["start_date"] = data["end_date"] = None
        data["start_date"] = dt.date.today() + dt.timedelta(days=3)
        data["end_date"] = data["start_date"] - dt.timedelta(days=1)
    else:
        data.update(change)
    with pytest.raises(DomainError) as exc:
        services.application_create(estate=estate_a, data=data, by=desk)
    assert exc.value.field == field and exc.value.status == 422
    assert not Application.objects.exists()


def test_a_unit_of_another_estate_is_refused(estate_a, estate_b, desk):
    data = app_data(estate_a, unit=make_unit(estate_b))
    with pytest.raises(DomainError) as exc:
        services.application_create(estate=estate_a, data=data, by=desk)
    assert exc.value.field == "unit"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("plan.pdf", b"%PDF-1.4\n...", True),
        ("plan.png", _png(), True),
        ("plan.pdf", b"MZ\x90\x00 not a pdf", False),
        ("plan.txt", b"hello", False),
        ("plan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), False),
    ],
)
def test_drawings_are_pdf_or_image_within_the_size_limit(estate_a, desk, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    data = app_data(estate_a)
    if ok:
        app = services.application_create(estate=estate_a, data=data, drawings=[upload], by=desk)
        assert app.drawings.get().kind == ("pdf" if name.endswith("pdf") else "image")
    else:
        with pytest.raises(DomainError) as exc:
            services.application_create(estate=estate_a, data=data, drawings=[upload], by=desk)
        assert exc.value.field == "drawings"
        assert not Application.objects.exists() and not Drawing.objects.exists()


def test_the_owner_comes_from_the_resident_files(estate_a, desk):
    from residents.models import Occupancy, Resident

    unit = make_unit(estate_a)
    resident = Resident(estate=estate_a, name="赵业主")
    resident.set_phone("13900001111")
    resident.save()
    Occupancy.objects.create(estate=estate_a, unit=unit, resident=resident, is_primary=True)
    app = make_application(estate_a, by=desk, unit=unit, owner_name="")
    assert app.owner == resident and app.owner_name == "赵业主"


# On site ---------------------------------------------------------------------------------------


def test_patrol_with_a_violation_and_its_deadline(estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    inspection = services.inspection_record(
        application=app,
        notes="楼道有垃圾",
        by=desk,
        violations=[{"type": "rubbish", "description": "楼道堆放建筑垃圾"}],
    )
    violation = inspection.violations.get()
    assert violation.source == Violation.Source.INSPECTION
    assert violation.rectify_due_at - violation.found_at == dt.timedelta(days=1)
    app.refresh_from_db()
    assert app.last_inspected_at == inspection.at


def test_patrol_only_of_a_renovating_unit(estate_a, desk):
    app = make_application(estate_a, by=desk)
    with pytest.raises(DomainError) as exc:
        services.inspection_record(application=app, notes="x", by=desk)
    assert exc.value.status == 409


def test_resident_report_links_the_complaint_ticket(estate_a, desk):
    from tests.repairs.factories import make_ticket

    app = make_renovating(estate_a, by=desk)
    ticket = make_ticket(estate_a, kind="complaint", unit=app.unit)
    violation = services.violation_report_from_resident(
        application=app, type="noise", description="晚上十点还在电钻", by=desk, ticket=ticket
    )
    assert violation.source == Violation.Source.RESIDENT_REPORT and violation.ticket == ticket


def test_deposit_life_billed_paid_refunded_minus_a_penalty(estate_a, desk, manager):
    finance = make_staff(estate_a, "finance")
    app = make_renovating(estate_a, by=desk)
    v1 = services.violation_record(
        application=app, source="inspection", type="structural", description="拆承重墙", by=desk
    )
    v2 = services.violation_record(
        application=app, source="inspection", type="rubbish", description="垃圾", by=desk
    )
    with pytest.raises(DomainError) as exc:  # the front desk cannot withhold money
        services.violation_close_not_rectified(violation=v1, penalty="500", reason="x", by=desk)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.violation_close_not_rectified(
            violation=v1, penalty="2500.00", reason="拒不整改", by=manager
        )
    assert exc.value.field == "penalty"
    services.violation_close_not_rectified(
        violation=v1, penalty="500.00", reason="拒不整改", by=manager
    )
    services.violation_close_rectified(violation=v2, evidence="已清理", by=desk)
    acceptance = services.acceptance_record(
        application=app,
        checklist=dict.fromkeys(services.ACCEPTANCE_ITEMS, True),
        by=desk,
    )
    assert acceptance.passed
    app.refresh_from_db()
    assert app.status == S.ACCEPTED
    assert Unit.objects.get(pk=app.unit_id).status == Unit.Status.OCCUPIED
    with pytest.raises(DomainError) as exc:  # finance refunds, not the desk
        services.application_deposit_refund(application=app, by=desk)
    assert exc.value.status == 403
    refund = services.application_deposit_refund(application=app, by=finance)
    assert (refund.amount, refund.penalty) == (Decimal("1500.00"), Decimal("500.00"))
    assert v1.number in refund.reason
    bill = Bill.objects.get(pk=app.deposit_bill_id)
    assert refund.amount + refund.penalty == bill.amount_paid == bill.amount_due
    app.refresh_from_db()
    assert app.status == S.CLOSED
    assert_fee_invariants()
    with pytest.raises(DomainError) as exc:
        services.application_deposit_refund(application=app, by=finance)
    assert exc.value.status == 409
    assert DepositRefund.objects.count() == 1


def test_acceptance_with_a_violation_stays_renovating(estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    acceptance = services.acceptance_record(
        application=app,
        checklist={**dict.fromkeys(services.ACCEPTANCE_ITEMS, True), "facade": False},
        by=desk,
        violations=[{"type": "facade", "description": "私自更换窗户"}],
    )
    assert not acceptance.passed
    assert acceptance.violations.get().source == Violation.Source.ACCEPTANCE
    app.refresh_from_db()
    assert app.status == S.RENOVATING
    assert Unit.objects.get(pk=app.unit_id).status == Unit.Status.RENOVATING


def test_units_not_patrolled_for_n_days_are_notified_once_a_day(estate_a, desk):
    manager = make_staff(estate_a, "manager")
    app = make_renovating(estate_a, by=desk)
    Application.objects.filter(pk=app.pk).update(started_at=app.started_at - dt.timedelta(days=10))
    from django.utils import timezone

    now = timezone.now()
    assert services.inspections_due_notify(now=now) == 2  # the desk and the manager
    assert services.inspections_due_notify(now=now) == 0
    note = Notification.objects.get(user=manager)
    assert app.unit.number in note.body
    services.inspection_record(application=app, notes="正常", by=desk)
    assert services.inspections_due_notify(now=now + dt.timedelta(days=1)) == 0


def test_policy_is_per_estate(estate_a):
    other = make_estate(code="PX01")
    assert app_services.policy_for(estate_a).inspect_every_days == 7
    assert app_services.policy_for(other).pk != app_services.policy_for(estate_a).pk


def test_the_periodic_task_calls_the_service(estate_a, desk):
    from renovation import tasks

    app = make_renovating(estate_a, by=desk)
    Application.objects.filter(pk=app.pk).update(started_at=app.started_at - dt.timedelta(days=8))
    tasks.notify_units_not_patrolled.call_local()
    assert Notification.objects.filter(user=desk).count() == 1
