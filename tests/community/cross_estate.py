"""Every community URL with an id, asked for by a user of another estate, answers 404. The
``?estate=`` filters of the community pages and API are checked in test_cross_estate_filters."""

import datetime as dt

from django.utils import timezone

from community import services
from tests.community.factories import make_event, sign_up
from tests.cross_estate import exempt, register
from tests.factories import make_unit


def _event(estate):
    return {"event_id": make_event(estate).pk}


def _signup(estate):
    return {"signup_id": sign_up(make_event(estate)).pk}


def _announcement(estate):
    return {"announcement_id": services.announcement_publish(estate=estate, title="t", body="b").pk}


def make_survey(estate):
    now = timezone.now()
    return services.survey_create(
        estate=estate,
        title="满意度调查",
        period="2026-Q4",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )


def _survey(estate):
    return {"survey_id": make_survey(estate).pk}


def _sample(estate):
    make_unit(estate)
    survey = services.call_samples_draw(estate=estate, period_label="2026-10")
    return {"sample_id": survey.samples.first().pk}


# Staff pages (community/urls.py)
register("community:event", _event, methods=("GET", "POST"))
register("community:event_edit", _event, methods=("GET", "POST"))
register("community:checkin", _event)
register("community:event_cancel", _event, methods=("POST",))
register("community:signup_cancel", _signup, methods=("POST",))
register("community:signup_checkin", _signup, methods=("POST",))
register("community:signup_phone", _signup, methods=("POST",))
register("community:announcement_edit", _announcement, methods=("GET", "POST"))
register("community:announcement_pdf", _announcement)
register("community:survey", _survey)
register("community:survey_questions", _survey, methods=("GET", "POST"))
register("community:survey_enter", _survey, methods=("GET", "POST"))
register("community:call_record", _sample, methods=("GET", "POST"))

# API (community/api/)
register("api:event_detail", _event)
register("api:signup_list", _event)
register("api:signup_create", _event, methods=("POST",), data={"name": "x", "phone": "13800000000"})
register("api:signup_cancel", _signup, methods=("POST",))
register("api:signup_check_in", _signup, methods=("POST",))
register("api:survey_results", _survey)
register(
    "api:response_create",
    _survey,
    methods=("POST",),
    data={"unit": "1-1-1", "channel": "paper", "ratings": {"overall": 5}},
)

_PUBLIC = (
    "residents' pages keyed by the estate code in the URL and an unguessable token or an event "
    "of that estate; another estate's event or token gives the same 404 "
    "(tests/community/test_public.py::test_another_estates_event_and_tokens_are_404)"
)
for _name in ("event_signup", "event_feedback", "survey"):
    exempt(f"public:{_name}", _PUBLIC)
