"""Schemas of the renovation API. Datetimes in the estate's zone, ISO 8601 with the offset."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from estate import privacy
from estate.schemas import Day, EstateCode, Moment, local

SourceLit = Literal["inspection", "resident_report", "acceptance"]
OutcomeLit = Literal["rectified", "not_rectified"]
StepLit = Literal["check", "approve", "return", "reject", "resubmit", "cancel", "start"]


def _local(name: str):
    return staticmethod(lambda obj: local(getattr(obj, name), obj.estate.tz))


class ViolationOut(Schema):
    """KPI.md's fields (the three rates can be recomputed from the list) and a few more."""

    id: int
    number: str
    application: int = Field(description="application id")
    unit: str
    source: SourceLit
    type: str = Field(description="violation type code", examples=["noise"])
    description: str
    found_at: dt.datetime
    rectify_due_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: OutcomeLit | None
    rectified_at: dt.datetime | None
    penalty: str = Field(description="CNY withheld from the deposit")

    resolve_found_at = _local("found_at")
    resolve_rectify_due_at = _local("rectify_due_at")
    resolve_closed_at = _local("closed_at")
    resolve_rectified_at = _local("rectified_at")

    @staticmethod
    def resolve_application(obj) -> int:
        return obj.application_id

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.application.unit.number

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.type.code

    @staticmethod
    def resolve_outcome(obj) -> str | None:
        return obj.outcome or None

    @staticmethod
    def resolve_penalty(obj) -> str:
        return str(obj.penalty)


class ViolationPage(Schema):
    items: list[ViolationOut]
    count: int


class ApplicationOut(Schema):
    id: int
    number: str = Field(examples=["HY01-ZX2026-000001"])
    estate: str
    unit: str
    status: str
    owner_name: str
    contractor: str
    contractor_person: str
    contractor_phone: str = Field(description="masked, e.g. 138****5678")
    workers: int
    non_routine: bool
    start_date: dt.date
    end_date: dt.date
    review_comment: str
    created_at: dt.datetime
    approved_at: dt.datetime | None
    started_at: dt.datetime | None
    last_inspected_at: dt.datetime | None
    accepted_at: dt.datetime | None

    resolve_created_at = _local("created_at")
    resolve_approved_at = _local("approved_at")
    resolve_started_at = _local("started_at")
    resolve_last_inspected_at = _local("last_inspected_at")
    resolve_accepted_at = _local("accepted_at")

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.number

    @staticmethod
    def resolve_contractor_phone(obj) -> str:
        return privacy.mask_phone(obj.contractor_phone)


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    count: int


class InspectionOut(Schema):
    id: int
    at: dt.datetime
    by: str
    notes: str
    violations: list[int] = Field(description="ids of the violations recorded with it")

    resolve_at = _local("at")

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username

    @staticmethod
    def resolve_violations(obj) -> list[int]:
        return [v.pk for v in obj.violations.all()]


class AcceptanceOut(Schema):
    id: int
    at: dt.datetime
    by: str
    checklist: dict[str, bool]
    passed: bool
    notes: str
    violations: list[int]

    resolve_at = _local("at")

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username

    @staticmethod
    def resolve_violations(obj) -> list[int]:
        return [v.pk for v in obj.violations.all()]


class DepositOut(Schema):
    bill: str = Field(description="bill number")
    amount_due: str
    amount_paid: str
    refunded: str | None
    withheld: str | None


class ApplicationDetailOut(ApplicationOut):
    work_types: list[str]
    description: str
    allowed_actions: list[str] = Field(description="what the caller may do now")
    deposit: DepositOut | None
    inspections: list[InspectionOut]
    violations: list[ViolationOut]
    acceptances: list[AcceptanceOut]
    drawings: list[str] = Field(description="file names")

    @staticmethod
    def resolve_work_types(obj) -> list[str]:
        return [w.code for w in obj.work_types.all()]

    @staticmethod
    def resolve_drawings(obj) -> list[str]:
        return [d.name for d in obj.drawings.all()]

    @staticmethod
    def resolve_deposit(obj) -> dict | None:
        bill = obj.deposit_bill
        if bill is None:
            return None
        refund = getattr(bill, "refund", None)
        return {
            "bill": bill.number,
            "amount_due": str(bill.amount_due),
            "amount_paid": str(bill.amount_paid),
            "refunded": str(refund.amount) if refund else None,
            "withheld": str(refund.penalty) if refund else None,
        }


class ViolationSeen(Schema):
    type: str = Field(max_length=32, examples=["rubbish"])
    description: str = Field(max_length=1000)


class ApplicationIn(Schema):
    estate: EstateCode = Field(examples=["HY01"])
    unit: int = Field(description="unit id")
    owner_name: str = Field("", max_length=50, description="from the resident files if empty")
    contractor: str = Field(max_length=100)
    contractor_person: str = Field(max_length=50)
    contractor_phone: str = Field(max_length=32, examples=["13812345678"])
    workers: int = Field(ge=1, le=200)
    work_types: list[str] = Field(max_length=20, examples=[["painting", "flooring"]])
    start_date: Day
    end_date: Day
    description: str = Field("", max_length=2000)


class TransitionIn(Schema):
    action: StepLit
    comment: str = Field("", max_length=500)


class InspectionIn(Schema):
    notes: str = Field(max_length=1000)
    at: Moment | None = None
    violations: list[ViolationSeen] = Field(default_factory=list, max_length=20)


class ViolationIn(Schema):
    source: Literal["inspection", "resident_report"]
    type: str = Field(max_length=32)
    description: str = Field(max_length=1000)
    found_at: Moment | None = None
    ticket: int | None = Field(None, description="the complaint ticket that reported it")


class AcceptanceIn(Schema):
    checklist: dict[str, bool]
    notes: str = Field("", max_length=1000)
    violations: list[ViolationSeen] = Field(default_factory=list, max_length=20)


class RefundIn(Schema):
    note: str = Field("", max_length=100)


class RefundOut(Schema):
    bill: str
    amount: str
    penalty: str
    reason: str

    @staticmethod
    def resolve_bill(obj) -> str:
        return obj.bill.number

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_penalty(obj) -> str:
        return str(obj.penalty)


class CloseIn(Schema):
    outcome: OutcomeLit
    evidence: str = Field("", max_length=1000)
    rectified_at: Moment | None = None
    penalty: str = Field("0", max_length=20, description="CNY withheld (not rectified)")
    reason: str = Field("", max_length=500)


class DeadlineIn(Schema):
    rectify_due_at: Moment
