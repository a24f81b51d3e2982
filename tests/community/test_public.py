"""The residents' pages: announcements shown safely, events with sign-up by one-time code, the
sign-up's own link (cancel, feedback), the survey link."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from community import services
from community.models import Event, SignUp, SurveyResponse
from tests.community.cross_estate import make_survey
from tests.community.factories import make_event, sign_up
from tests.factories import make_unit


def test_script_in_an_announcement_shows_as_text_and_links_are_clickable(client, estate_a):
    services.announcement_publish(
        estate=estate_a,
        title="<b>停水</b>",
        body="<script>alert(1)</script>\n详见 https://example.com/notice",
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )
    html = client.get("/r/HY01/home").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;停水&lt;/b&gt;" in html
    assert '<a href="https://example.com/notice"' in html
    assert "<br>" in html


def test_expired_and_scheduled_announcements_are_not_shown_to_residents(client, estate_a):
    now = timezone.now()
    day = dt.timedelta(days=1)
    services.announcement_publish(
        estate=estate_a, title="已过期通知", body="x", publish_at=now - 3 * day, expire_at=now - day
    )
    services.announcement_publish(estate=estate_a, title="未来通知", body="x", publish_at=now + day)
    services.announcement_publish(
        estate=estate_a, title="当前通知", body="x", publish_at=now - day, expire_at=now + day
    )
    html = client.get("/r/HY01/home").content.decode()
    assert "当前通知" in html
    assert "已过期通知" not in html and "未来通知" not in html


def _code(sent):
    return re.search(r"(\d{6})", sent[-1][1]).group(1)


@pytest.fixture
def sms(monkeypatch):
    sent = []
    monkeypatch.setattr("estate.sms.LogSender.send", lambda self, p, t: sent.append((p, t)))
    return sent


def test_resident_signs_up_with_a_one_time_code(client, estate_a, sms):
    make_unit(estate_a, "3-2-1501")
    event = make_event(estate_a, capacity=5)
    url = f"/r/HY01/events/{event.pk}"
    assert event.title in client.get("/r/HY01/home").content.decode()
    form = {
        "action": "send",
        "name": "李四",
        "phone": "13812345678",
        "unit_number": "3-2-1501",
        "people": "2",
    }
    assert client.post(url, form).status_code == 302
    assert not SignUp.objects.exists()
    wrong = client.post(
        url, {"action": "verify", "code": "000000" if _code(sms) != "000000" else "1"}
    )
    assert wrong.status_code == 400
    done = client.post(url, {"action": "verify", "code": _code(sms)})
    signup = SignUp.objects.get()
    assert done.status_code == 302 and signup.token in done["Location"]
    assert (signup.status, signup.people, signup.channel) == ("confirmed", 2, "web")
    page = client.get(done["Location"]).content.decode()
    assert "已确认" in page or "confirmed" in page


def test_unknown_unit_comes_back_filled_in_and_nothing_sent(client, estate_a, sms):
    event = make_event(estate_a)
    response = client.post(
        f"/r/HY01/events/{event.pk}",
        {
            "action": "send",
            "name": "李四",
            "phone": "13812345678",
            "unit_number": "9-9-9",
            "people": "1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="李四"' in html and "unit_number_error" in html
    assert not sms


def test_signup_after_the_window_is_refused_on_the_page(client, estate_a, sms):
    make_unit(estate_a, "3-2-1501")
    event = make_event(estate_a)
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=timezone.now() - dt.timedelta(days=3),
        signup_closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    response = client.post(
        f"/r/HY01/events/{event.pk}",
        {
            "action": "send",
            "name": "李四",
            "phone": "13812345678",
            "unit_number": "3-2-1501",
            "people": "1",
        },
    )
    assert response.status_code == 400
    assert not SignUp.objects.exists() and not sms


def test_cancel_by_link_promotes_the_wait_list_and_feedback_after_the_event(client, estate_a, sms):
    event = make_event(estate_a, capacity=1)
    first, second = sign_up(event), sign_up(event)
    response = client.post(f"/r/HY01/signup/{first.token}", {"action": "cancel"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "confirmed"
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
        signup_opens_at=timezone.now() - dt.timedelta(days=3),
        signup_closes_at=timezone.now() - dt.timedelta(hours=4),
    )
    bad = client.post(f"/r/HY01/signup/{second.token}", {"rating": "6"})
    assert bad.status_code == 400
    assert (
        client.post(f"/r/HY01/signup/{second.token}", {"rating": "5", "comment": "好"}).status_code
        == 302
    )
    second.refresh_from_db()
    assert second.feedback_rating == 5


def test_another_estates_event_and_tokens_are_404(client, estate_a, estate_b):
    event = make_event(estate_b)
    signup = sign_up(event)
    survey = make_survey(estate_b)
    assert client.get(f"/r/HY01/events/{event.pk}").status_code == 404
    assert client.get(f"/r/HY01/signup/{signup.token}").status_code == 404
    assert client.get(f"/r/HY01/survey/{survey.token}").status_code == 404
    assert client.get("/r/HY01/signup/" + "0" * 32).status_code == 404
    assert client.get("/r/HY01/survey/short").status_code == 404


def _answers(survey, rating="5"):
    data = {}
    for q in survey.questions.all():
        data[f"rating_{q.aspect}"] = rating
    return data


def test_survey_link_one_answer_per_unit_and_rating_six_refused(client, estate_a):
    survey = make_survey(estate_a)
    make_unit(estate_a, "1-1-101")
    url = f"/r/HY01/survey/{survey.token}"
    six = client.post(url, {"unit_number": "1-1-101", **_answers(survey), "rating_fees": "6"})
    assert six.status_code == 400
    assert 'id="id_rating_fees_error"' in six.content.decode()
    assert not SurveyResponse.objects.exists()
    ok = client.post(url, {"unit_number": "1-1-101", **_answers(survey), "comment_greenery": "好"})
    assert ok.status_code == 302
    again = client.post(url, {"unit_number": "1-1-101", **_answers(survey, "1")})
    assert again.status_code == 400
    assert "unit_number_error" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
