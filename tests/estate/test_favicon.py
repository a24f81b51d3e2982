"""A favicon on every page: linked from both base templates, and /favicon.ico (which browsers
ask for on their own) answers with it instead of a 404 in the log."""

import re

import pytest

from repairs.configuration import defaults_install
from tests.factories import make_staff


def _icons(html):
    return re.findall(r'<link rel="icon" href="([^"]+)"', html)


def _fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize("who", ["staff", "public", "login"])
def test_the_base_pages_link_a_favicon_that_resolves(client, estate_a, who):
    if who == "staff":
        client.force_login(make_staff(estate_a, "manager"))
        url = "/repairs/"
    elif who == "public":
        defaults_install(estate=estate_a)
        url = "/r/HY01/"
    else:
        url = "/login/"
    page = client.get(url)
    assert page.status_code == 200
    icons = _icons(page.content.decode())
    assert len(icons) == 2
    for href in icons:
        response, body = _fetch(client, href)
        assert response.status_code == 200, href
        assert response["Content-Type"] in (
            "image/x-icon",
            "image/vnd.microsoft.icon",
            "image/svg+xml",
        )
        assert body


def test_favicon_ico_at_the_root_resolves(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    target, body = _fetch(client, response["Location"])
    assert target.status_code == 200
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
