"""Content-Security-Policy (issue 15): every page carries it, scripts come only from our own
static files, and no template has an inline script or an inline event handler (which the
policy would block, leaving a dead button)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_staff
from tests.repairs.factories import make_category

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_kind_of_page_carries_the_policy(client, estate_a):
    make_category(estate_a)
    anonymous = ["/login/", "/r/HY01/", "/r/HY01/my/", "/healthz", "/api/v1/docs", "/nope/"]
    for url in anonymous:
        policy = _policy(client.get(url))
        assert policy.get("script-src") == ["'self'"], url
        assert policy.get("object-src") == ["'none'"], url
        assert policy.get("frame-ancestors") == ["'self'"], url
    client.force_login(make_staff(estate_a, "admin"))
    for url in (
        "/kpis/",
        "/repairs/",
        "/repairs/new/",
        "/fees/cashier/",
        "/api/v1/tickets?estate=HY01",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _policy(response).get("script-src") == ["'self'"], url
        html = response.content.decode()
        if "html" in response.headers["Content-Type"]:
            assert not INLINE_SCRIPT.search(html), url
            assert not INLINE_HANDLER.search(html), url
            assert "estate/app.js" in html, url


def test_no_template_has_inline_script_or_handlers():
    """Every template of the project: a new onchange= or <script> block fails here, not
    silently in the browser."""
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {match[0][:60]}")
    assert offenders == []


@pytest.mark.django_db
def test_the_policy_text_kept_per_process_follows_the_settings(client, estate_a, settings):
    """estate.middleware.CSPMiddleware builds the header once: it is django-csp's own text,
    on a bearer API answer as on a page, and a changed policy is the next response's."""
    from csp.utils import build_policy

    from estate.services import api_token_create

    user = make_staff(estate_a, "front_desk")
    _, token = api_token_create(user=user)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    expected = build_policy()
    assert client.get("/api/v1/tickets", **bearer).headers["Content-Security-Policy"] == expected
    assert client.get("/login/").headers["Content-Security-Policy"] == expected
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/api/v1/tickets", **bearer).headers["Content-Security-Policy"] == (
        "default-src 'none'"
    )
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/login/"],
    }
    response = client.get("/api/v1/tickets", **bearer)
    assert response.headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "Content-Security-Policy-Report-Only" not in client.get("/login/").headers
