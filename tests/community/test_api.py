import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from community import services
from community.models import Announcement, Event, SignUp, SurveyResponse
from tests.community.cross_estate import make_survey
from tests.community.factories import make_event, sign_up
from tests.factories import make_staff, make_unit

SH = ZoneInfo("Asia/Shanghai")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_events_list_carries_kpi_counts_and_filters_by_local_date(client, estate_a, manager_a):
    october = make_event(estate_a, capacity=3)
    a = sign_up(october)
    sign_up(october)
    sign_up(october, people=2)  # wait list
    services.signup_check_in(signup=a)
    # Moved into the past after the sign-ups (the window is checked when signing up).
    Event.objects.filter(pk=october.pk).update(
        starts_at=dt.datetime(2026, 10, 31, 23, 30, tzinfo=SH),
        ends_at=dt.datetime(2026, 11, 1, 1, 0, tzinfo=SH),
        signup_opens_at=dt.datetime(2026, 10, 1, tzinfo=SH),
        signup_closes_at=dt.datetime(2026, 10, 31, tzinfo=SH),
    )
    later = make_event(estate_a)
    Event.objects.filter(pk=later.pk).update(
        starts_at=dt.datetime(2026, 11, 1, tzinfo=SH),
        ends_at=dt.datetime(2026, 11, 1, 2, tzinfo=SH),
        signup_opens_at=dt.datetime(2026, 10, 1, tzinfo=SH),
        signup_closes_at=dt.datetime(2026, 10, 31, tzinfo=SH),
    )
    client.force_login(manager_a)
    body = client.get(
        "/api/v1/events",
        {"estate": "HY01", "starts_from": "2026-10-01", "starts_to": "2026-11-01"},
    ).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["confirmed_count"], item["attended_count"], item["waitlisted_count"]) == (2, 1, 1)
    assert item["starts_at"] == "2026-10-31T23:30:00+08:00"


@pytest.mark.parametrize("rows", [1, 30])
def test_event_list_runs_a_fixed_number_of_queries(
    client, estate_a, manager_a, rows, django_assert_num_queries
):
    for _ in range(rows):
        sign_up(make_event(estate_a))
    client.force_login(manager_a)
    client.get("/api/v1/events", {"estate": "HY01"})  # warm the session and role caches
    # session, user, the user's and group permissions (company admin?), memberships (roles),
    # estate by code, the page of events with counts (one grouped query, estate joined), count
    with django_assert_num_queries(8):
        response = client.get("/api/v1/events", {"estate": "HY01"})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_answer_list_runs_a_fixed_number_of_queries(
    client, estate_a, manager_a, rows, django_assert_num_queries
):
    survey = make_survey(estate_a)
    for _ in range(rows):
        services.survey_answer_submit(
            survey=survey, unit=make_unit(estate_a), ratings={"overall": 5, **_rest(survey)}
        )
    client.force_login(manager_a)
    client.get("/api/v1/surveys/answers", {"estate": "HY01"})
    # session, user, user's and group permissions, memberships, estate by code, the page of
    # answers (estate joined), count
    with django_assert_num_queries(8):
        response = client.get("/api/v1/surveys/answers", {"estate": "HY01", "limit": 200})
    assert response.json()["count"] == rows * 7


def _rest(survey):
    return {q.aspect: 4 for q in survey.questions.all()}


def test_answers_list_gives_the_fields_of_the_rate(client, estate_a, manager_a):
    survey = make_survey(estate_a)
    services.survey_answer_submit(survey=survey, unit=make_unit(estate_a), ratings=_rest(survey))
    client.force_login(manager_a)
    today = timezone.localdate(timezone.now(), SH)
    body = client.get(
        "/api/v1/surveys/answers",
        {
            "estate": "HY01",
            "answered_from": str(today),
            "answered_to": str(today + dt.timedelta(1)),
        },
    ).json()
    assert body["count"] == 7
    assert set(body["items"][0]) == {"id", "survey", "aspect", "rating", "answered_at"}


def test_signup_over_the_api_and_bad_input(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    client.force_login(desk)
    event = make_event(estate_a, capacity=1)
    ok = _post(
        client, f"/api/v1/events/{event.pk}/signups", {"name": "王五", "phone": "13812345678"}
    )
    assert ok.status_code == 201 and ok.json()["status"] == "confirmed"
    assert ok.json()["phone"] == "138****5678"
    waiting = _post(
        client, f"/api/v1/events/{event.pk}/signups", {"name": "赵六", "phone": "13912345678"}
    )
    assert waiting.json()["status"] == "waitlisted"
    bad = _post(client, f"/api/v1/events/{event.pk}/signups", {"name": "x", "phone": "123"})
    assert (bad.status_code, bad.json()["field"]) == (422, "phone")
    cancel = _post(client, f"/api/v1/signups/{ok.json()['id']}/cancel", {})
    assert cancel.json()["status"] == "cancelled"
    assert SignUp.objects.get(pk=waiting.json()["id"]).status == "confirmed"
    checked = _post(client, f"/api/v1/signups/{waiting.json()['id']}/check-in", {})
    assert checked.json()["attended_at"] is not None


def test_event_ending_before_it_starts_is_a_422_and_nothing_saved(client, estate_a, manager_a):
    client.force_login(manager_a)
    now = timezone.now()
    body = {
        "estate": "HY01",
        "title": "x",
        "place": "会所",
        "starts_at": (now + dt.timedelta(days=2)).isoformat(),
        "ends_at": (now + dt.timedelta(days=1)).isoformat(),
        "capacity": 10,
        "signup_opens_at": now.isoformat(),
        "signup_closes_at": (now + dt.timedelta(hours=5)).isoformat(),
    }
    response = _post(client, "/api/v1/events", body)
    assert (response.status_code, response.json()["field"]) == (422, "ends_at")
    assert not Event.objects.exists()
    body["ends_at"] = (now + dt.timedelta(days=3)).isoformat()
    assert _post(client, "/api/v1/events", body).status_code == 201


def test_front_desk_may_not_create_events(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    response = _post(client, "/api/v1/events", {"estate": "HY01"})
    assert response.status_code in (403, 422)


def test_staff_answer_rating_six_and_second_answer_are_refused(client, estate_a, manager_a):
    survey = make_survey(estate_a)
    make_unit(estate_a, "2-1-101")
    client.force_login(manager_a)
    url = f"/api/v1/surveys/{survey.pk}/responses"
    ratings = _rest(survey)
    six = _post(client, url, {"unit": "2-1-101", "ratings": {**ratings, "overall": 6}})
    assert (six.status_code, six.json()["field"]) == (422, "rating_overall")
    assert not SurveyResponse.objects.exists()
    assert _post(client, url, {"unit": "2-1-101", "ratings": ratings}).status_code == 201
    again = _post(client, url, {"unit": "2-1-101", "ratings": ratings, "channel": "phone"})
    assert (again.status_code, again.json()["field"]) == (409, "unit")
    assert SurveyResponse.objects.count() == 1
    results = client.get(f"/api/v1/surveys/{survey.pk}").json()
    overall = next(a for a in results["aspects"] if a["aspect"] == "overall")
    assert overall["distribution"] == [0, 0, 0, 1, 0] and overall["share"] == 1.0


def test_announcements_to_several_estates(client, estate_a, estate_b, manager_a):
    from estate.models import Membership

    Membership.objects.create(user=manager_a, estate=estate_b, role="manager")
    client.force_login(manager_a)
    response = _post(
        client,
        "/api/v1/announcements",
        {
            "estates": ["HY01", "HY02"],
            "title": "停电通知",
            "body": "周日停电",
            "category": "outage",
        },
    )
    assert response.status_code == 201 and len(response.json()) == 2
    assert Announcement.objects.count() == 2
    listed = client.get("/api/v1/announcements", {"estate": "HY02", "state": "current"}).json()
    assert listed["count"] == 1 and listed["items"][0]["category"] == "outage"
