"""Builders for renovation tests: an application through the services, taken as far along its
life as a test needs (approved, paid, renovating), and violations with exact times."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

from django.utils import timezone

from estate.localtime import today
from fees.services import payment_record
from renovation import services
from renovation.models import Application, Violation, ViolationType
from tests.factories import make_staff, make_unit

_seq = itertools.count(1)


def app_data(estate, unit=None, **kw) -> dict:
    start = today(estate) + dt.timedelta(days=1)
    data = {
        "unit": (unit or make_unit(estate)).pk,
        "owner_name": "王业主",
        "contractor": "美家装饰有限公司",
        "contractor_person": "李工",
        "contractor_phone": "13812345678",
        "workers": 3,
        "work_types": ["painting", "flooring"],
        "start_date": start,
        "end_date": start + dt.timedelta(days=30),
        "description": "",
    }
    data.update(kw)
    return data


def staff(estate, role: str):
    return make_staff(estate, role)


def make_application(estate, *, by=None, **kw) -> Application:
    by = by or make_staff(estate, "front_desk")
    return services.application_create(estate=estate, data=app_data(estate, **kw), by=by)


def pay_deposit(app: Application, by=None):
    app.refresh_from_db()
    by = by or make_staff(app.estate, "finance")
    return payment_record(
        unit=app.unit,
        amount=app.deposit_bill.amount_due,
        method="cash",
        idempotency_key=uuid.uuid4().hex,
        bills=[app.deposit_bill.pk],
        by=by,
    )


def make_renovating(estate, *, by=None, **kw) -> Application:
    """An application of routine works, approved, deposit paid, works started."""
    desk = by or make_staff(estate, "front_desk")
    app = make_application(estate, by=desk, **kw)
    app = services.application_transition(application=app, action="approve", by=desk)
    pay_deposit(app)
    return services.application_transition(application=app, action="start", by=desk)


def make_violation(
    app: Application,
    *,
    source: str = Violation.Source.INSPECTION,
    found_at: dt.datetime,
    due_at: dt.datetime | None = None,
    outcome: str = "",
    rectified_at: dt.datetime | None = None,
    penalty: str = "0",
) -> Violation:
    """A violation written directly with exact times (for the rates' hand-built tests)."""
    services.policy_for(app.estate)
    closed = outcome != ""
    return Violation.objects.create(
        estate=app.estate,
        application=app,
        number=f"WZ-{next(_seq):06d}",
        source=source,
        type=ViolationType.objects.get(estate=app.estate, code="noise"),
        description="噪音",
        found_at=found_at,
        found_by=app.created_by,
        rectify_due_at=due_at or found_at + dt.timedelta(days=1),
        closed_at=(rectified_at or found_at + dt.timedelta(hours=1)) if closed else None,
        outcome=outcome,
        rectified_at=rectified_at,
        penalty=Decimal(penalty),
    )


def now() -> dt.datetime:
    return timezone.now()
