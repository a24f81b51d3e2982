"""Every ``?estate=`` of the community pages and API: another estate's code (or an unknown
one) is a 404, the same answer, so codes cannot be probed."""

import pytest

from tests.factories import make_staff

PAGES = [
    "/community/events/",
    "/community/events/new/",
    "/community/announcements/",
    "/community/announcements/new/",
    "/community/surveys/",
    "/community/surveys/new/",
    "/community/calls/",
    "/community/rates/records/?period=2026-10&metric=community.event_attendance_rate",
]
API = ["/api/v1/events", "/api/v1/announcements", "/api/v1/surveys", "/api/v1/surveys/answers"]


@pytest.mark.parametrize("url", PAGES + API)
@pytest.mark.parametrize("code", ["HY02", "ZZ99"])
def test_another_or_unknown_estate_is_404(client, estate_a, estate_b, url, code):
    client.force_login(make_staff(estate_a, "admin"))
    sep = "&" if "?" in url else "?"
    assert client.get(f"{url}{sep}estate={code}").status_code == 404
    assert client.get(f"{url}{sep}estate=HY01").status_code == 200


@pytest.mark.parametrize(
    "url", ["/community/calls/draw/", "/community/events/new/", "/community/surveys/new/"]
)
def test_posting_to_another_estate_is_404(client, estate_a, estate_b, url):
    client.force_login(make_staff(estate_a, "admin"))
    assert client.post(url, {"estate": "HY02", "period": "2026-10"}).status_code == 404


def test_publishing_to_another_estate_is_404(client, estate_a, estate_b):
    import json

    client.force_login(make_staff(estate_a, "admin"))
    response = client.post(
        "/api/v1/announcements",
        data=json.dumps({"estates": ["HY01", "HY02"], "title": "x", "body": "y"}),
        content_type="application/json",
    )
    assert response.status_code == 404
