"""Community (社区文化): events with sign-ups, announcements (公告), satisfaction surveys.

The event invariants, kept by community.services.events under a lock on the event row and
checked in the database where one row suffices (CheckConstraint), and by
``tests/community/invariants.assert_event_invariants`` where they span rows:

- an event's ``confirmed_places`` is the sum of ``people`` over its confirmed sign-ups;
- ``0 <= confirmed_places <= capacity``: capacity is never exceeded, whatever the concurrency;
- a wait-listed sign-up exists only while the first of the wait list does not fit.
"""

from community.models.announcements import Announcement
from community.models.events import Event, SignUp
from community.models.surveys import (
    Aspect,
    CallSample,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

__all__ = [
    "Announcement",
    "Aspect",
    "CallSample",
    "Event",
    "SignUp",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
]
