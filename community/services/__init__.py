"""Every write of the community app: events and sign-ups, announcements, surveys."""

from community.services.announcements import (
    announcement_publish,
    announcement_update,
    announcements_publish,
)
from community.services.events import (
    event_cancel,
    event_create,
    event_update,
    feedback_submit,
    signup_cancel,
    signup_check_in,
    signup_create,
    signup_window_error,
)
from community.services.surveys import (
    call_record,
    call_samples_draw,
    call_samples_draw_due,
    survey_answer_submit,
    survey_create,
    survey_open_error,
    survey_questions_set,
)

__all__ = [
    "announcement_publish",
    "announcement_update",
    "announcements_publish",
    "call_record",
    "call_samples_draw",
    "call_samples_draw_due",
    "event_cancel",
    "event_create",
    "event_update",
    "feedback_submit",
    "signup_cancel",
    "signup_check_in",
    "signup_create",
    "signup_window_error",
    "survey_answer_submit",
    "survey_create",
    "survey_open_error",
    "survey_questions_set",
]
