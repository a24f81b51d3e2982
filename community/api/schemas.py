"""Schemas of the community API."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from estate.localtime import local
from estate.schemas import Day, EstateCode, Moment, PageParams


def _local(name: str, path: str = "estate"):
    """A resolver showing a datetime attribute in the estate's zone."""

    def resolve(obj):
        estate = obj
        for part in path.split("."):
            estate = getattr(estate, part)
        return local(getattr(obj, name), estate.tz)

    return staticmethod(resolve)


class RangeFilters(PageParams):
    estate: EstateCode = Field(description="estate code, e.g. HY01")


class EventFilters(RangeFilters):
    starts_from: Day | None = Field(None, description="local date, inclusive")
    starts_to: Day | None = Field(None, description="local date, exclusive")


class EventIn(Schema):
    estate: EstateCode = Field(examples=["HY01"])
    title: str = Field(max_length=100, examples=["中秋游园会"])
    description: str = Field("", max_length=5000)
    place: str = Field(max_length=100, examples=["会所多功能厅"])
    place_capacity: int | None = Field(None, ge=1, le=100_000)
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=100_000)
    signup_opens_at: Moment
    signup_closes_at: Moment
    fee: str = Field("0", max_length=20, description="CNY per person, e.g. 30.00")


class EventOut(Schema):
    id: int
    estate: str
    title: str
    description: str
    place: str
    place_capacity: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    confirmed_places: int = Field(description="people in confirmed sign-ups")
    signup_opens_at: dt.datetime
    signup_closes_at: dt.datetime
    fee: str
    confirmed_count: int = Field(description="confirmed sign-ups (KPI.md's denominator)")
    attended_count: int = Field(description="confirmed sign-ups marked attended (numerator)")
    waitlisted_count: int

    resolve_starts_at = _local("starts_at")
    resolve_ends_at = _local("ends_at")
    resolve_signup_opens_at = _local("signup_opens_at")
    resolve_signup_closes_at = _local("signup_closes_at")

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_fee(obj) -> str:
        return str(obj.fee)


class EventPage(Schema):
    items: list[EventOut]
    count: int


class SignUpIn(Schema):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20, examples=["13812345678"])
    people: int = Field(1, ge=1, le=10)
    unit: str | None = Field(None, max_length=32, description="unit number, e.g. 3-2-1501")


class SignUpOut(Schema):
    id: int
    event: int
    name: str
    phone: str = Field(description="masked, e.g. 138****5678")
    unit: str | None
    people: int
    status: str = Field(examples=["confirmed", "waitlisted", "cancelled"])
    channel: str
    created_at: dt.datetime
    attended_at: dt.datetime | None
    feedback_rating: int | None

    resolve_created_at = _local("created_at", "event.estate")
    resolve_attended_at = _local("attended_at", "event.estate")

    @staticmethod
    def resolve_event(obj) -> int:
        return obj.event_id

    @staticmethod
    def resolve_phone(obj) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.number if obj.unit_id else None


class SignUpPage(Schema):
    items: list[SignUpOut]
    count: int


class CheckInIn(Schema):
    undo: bool = False


class AnnouncementFilters(RangeFilters):
    state: str | None = Field(None, pattern="^(current|scheduled|expired)$")


class AnnouncementIn(Schema):
    estates: list[str] = Field(min_length=1, max_length=200, examples=[["HY01", "HY02"]])
    title: str = Field(max_length=100)
    body: str = Field(max_length=5000, description="plain text; links are made clickable")
    category: str = Field("notice", examples=["notice", "outage", "safety", "event"])
    pinned: bool = False
    publish_at: Moment | None = None
    expire_at: Moment | None = None


class AnnouncementOut(Schema):
    id: int
    estate: str
    title: str
    body: str
    category: str
    pinned: bool
    publish_at: dt.datetime
    expire_at: dt.datetime | None

    resolve_publish_at = _local("publish_at")
    resolve_expire_at = _local("expire_at")

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code


class AnnouncementPage(Schema):
    items: list[AnnouncementOut]
    count: int


class SurveyOut(Schema):
    id: int
    estate: str
    kind: str
    title: str
    period: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    aspects: list[str]

    resolve_opens_at = _local("opens_at")
    resolve_closes_at = _local("closes_at")

    @staticmethod
    def resolve_estate(obj) -> str:
        return obj.estate.code

    @staticmethod
    def resolve_aspects(obj) -> list[str]:
        return [q.aspect for q in obj.questions.all()]


class SurveyPage(Schema):
    items: list[SurveyOut]
    count: int


class AspectResultOut(Schema):
    aspect: str
    count: int
    satisfied: int
    share: float | None
    previous_share: float | None
    distribution: list[int] = Field(description="answers rated 1, 2, 3, 4, 5")


class SurveyResultsOut(Schema):
    survey: SurveyOut
    previous: int | None
    aspects: list[AspectResultOut]


class ResponseIn(Schema):
    unit: str = Field(max_length=32, examples=["3-2-1501"])
    channel: str = Field("paper", examples=["paper", "phone"])
    ratings: dict[str, int] = Field(examples=[{"overall": 5, "fees": 4}])
    comments: dict[str, str] = Field(default_factory=dict)


class ResponseOut(Schema):
    id: int
    survey: int
    unit: str
    channel: str

    @staticmethod
    def resolve_survey(obj) -> int:
        return obj.survey_id

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.number


class AnswerFilters(RangeFilters):
    answered_from: Day | None = Field(None, description="local date, inclusive")
    answered_to: Day | None = Field(None, description="local date, exclusive")


class AnswerOut(Schema):
    id: int
    survey: int
    aspect: str
    rating: int
    answered_at: dt.datetime

    resolve_answered_at = _local("answered_at")

    @staticmethod
    def resolve_survey(obj) -> int:
        return obj.survey_id


class AnswerPage(Schema):
    items: list[AnswerOut]
    count: int
