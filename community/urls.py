"""Staff pages of community."""

from django.urls import path

from community.views import announcements, events, surveys

app_name = "community"
urlpatterns = [
    path("events/", events.events, name="events"),
    path("events/new/", events.event_new, name="event_new"),
    path("events/<int:event_id>/", events.event, name="event"),
    path("events/<int:event_id>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:event_id>/checkin/", events.checkin, name="checkin"),
    path("events/<int:event_id>/cancel/", events.event_cancel, name="event_cancel"),
    path("signups/<int:signup_id>/cancel/", events.signup_cancel, name="signup_cancel"),
    path("signups/<int:signup_id>/checkin/", events.signup_checkin, name="signup_checkin"),
    path("signups/<int:signup_id>/phone/", events.signup_phone, name="signup_phone"),
    path("announcements/", announcements.announcements, name="announcements"),
    path("announcements/new/", announcements.announcement_new, name="announcement_new"),
    path(
        "announcements/<int:announcement_id>/edit/",
        announcements.announcement_edit,
        name="announcement_edit",
    ),
    path(
        "announcements/<int:announcement_id>/notice.pdf",
        announcements.announcement_pdf,
        name="announcement_pdf",
    ),
    path("surveys/", surveys.surveys, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", surveys.survey, name="survey"),
    path("surveys/<int:survey_id>/questions/", surveys.survey_questions, name="survey_questions"),
    path("surveys/<int:survey_id>/enter/", surveys.survey_enter, name="survey_enter"),
    path("calls/", surveys.calls, name="calls"),
    path("calls/draw/", surveys.calls_draw, name="calls_draw"),
    path("calls/<int:sample_id>/", surveys.call_record, name="call_record"),
    path("rates/records/", surveys.metric_records, name="metric_records"),
]
