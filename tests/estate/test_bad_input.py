"""Bad input and bad stored values (issue 15): date windows shared by pages and the API, pages
that survive a value they cannot format, text and numbers that are a 4xx and never a 500."""

import datetime as dt
import json
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from estate.errors import DomainError
from repairs.models import Category, Ticket
from tests.factories import make_staff, make_unit
from tests.repairs.factories import make_category, make_ticket


@pytest.fixture
def bad_ticket(estate_a):
    category = make_category(estate_a)
    ticket = make_ticket(estate_a, category=category)
    # Year 1 and the last hour of year 9999 (UTC): the second has no local time east of UTC.
    Ticket.objects.filter(pk=ticket.pk).update(
        preferred_visit_time=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        resolve_due_at=dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),
        reported_at=dt.datetime(9999, 12, 31, 22, 0, tzinfo=dt.UTC),
    )
    return ticket


def test_a_stored_out_of_range_time_does_not_take_pages_down(client, estate_a, bad_ticket):
    client.force_login(make_staff(estate_a, "manager"))
    for url in (
        "/repairs/",
        f"/repairs/{bad_ticket.pk}/",
        "/api/v1/tickets?estate=HY01",
        f"/api/v1/tickets/{bad_ticket.pk}",
        f"/r/HY01/t/{bad_ticket.tracking_code}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


# --- Date windows: the resident form, the desk form and the API refuse the same values -------


@pytest.fixture
def report_estate(estate_a):
    from repairs.configuration import defaults_install

    defaults_install(estate=estate_a)
    make_unit(estate_a, number="3-2-1501")
    return estate_a


def _resident_form(estate, **changes):
    category = Category.objects.filter(estate=estate, kind="repair").order_by("sort").first()
    return {
        "kind": "repair",
        "category": str(category.pk),
        "unit_number": "3-2-1501",
        "common_area": "",
        "name": "王女士",
        "phone": "13812345678",
        "description": "厨房水管漏水",
        "preferred_visit_time": "",
        "website": "",
    } | changes


def _in(days: float) -> str:
    return f"{timezone.localtime(timezone.now() + dt.timedelta(days=days)):%Y-%m-%dT%H:%M}"


@pytest.mark.parametrize("when", ["0001-01-01T10:00", "9999-12-31T23:59", "past", "in-2-years"])
def test_resident_form_refuses_a_visit_time_outside_now_to_a_year(client, report_estate, when):
    when = {"past": _in(-2), "in-2-years": _in(800)}.get(when, when)
    response = client.post("/r/HY01/", _resident_form(report_estate, preferred_visit_time=when))
    assert response.status_code == 400
    html = response.content.decode()
    # The error is next to the field, and what the resident typed is kept.
    assert 'name="preferred_visit_time"' in html and "厨房水管漏水" in html
    assert re.search(r'class="error[^"]*"[^>]*>[^<]*(visit|year|年|访)', html, re.I) or (
        "errorlist" in html
    )
    assert Ticket.objects.count() == 0


def test_resident_form_accepts_a_visit_time_next_week(client, report_estate):
    response = client.post("/r/HY01/", _resident_form(report_estate, preferred_visit_time=_in(7)))
    assert response.status_code == 302
    assert Ticket.objects.get().preferred_visit_time is not None


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T10:00:00+08:00", "9999-12-31T23:59:59+08:00", "2000-01-01T00:00:00Z", "far"],
)
def test_api_refuses_a_visit_time_outside_now_to_a_year(client, estate_a, when):
    when = {"far": (timezone.now() + dt.timedelta(days=400)).isoformat()}.get(when, when)
    client.force_login(make_staff(estate_a, "front_desk"))
    make_category(estate_a, code="plumbing")
    body = {
        "estate": "HY01",
        "kind": "repair",
        "category": "plumbing",
        "description": "厨房水管漏水",
        "reporter_name": "王伟",
        "reporter_phone": "13812345678",
        "unit": make_unit(estate_a).pk,
        "preferred_visit_time": when,
    }
    response = client.post("/api/v1/tickets", json.dumps(body), "application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "preferred_visit_time"
    assert Ticket.objects.count() == 0


def test_payment_dates_before_the_books_open_or_in_the_future_are_refused(estate_a):
    from fees.services import payment_record
    from tests.fees.factories import make_bill, make_finance

    unit = make_unit(estate_a)
    bill = make_bill(unit)
    cashier = make_finance(estate_a)
    opened = bill.period_start
    for when in (
        dt.datetime.combine(opened - dt.timedelta(days=40), dt.time(10), tzinfo=estate_a.tz),
        timezone.now() + dt.timedelta(days=2),
        dt.datetime(1, 1, 2, tzinfo=dt.UTC),
    ):
        with pytest.raises(DomainError) as refused:
            payment_record(
                unit=unit,
                amount="10.00",
                method="cash",
                received_at=when,
                idempotency_key=f"k-{when:%Y%m%d}",
                by=cashier,
            )
        assert refused.value.field == "received_at"


@pytest.mark.parametrize("url", ["/kpis/?estate=HY01&period=0001-01", "/kpis/?period=9999-12"])
def test_kpi_periods_outside_2000_to_2100_are_a_message_not_a_500(client, estate_a, url):
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get(url)
    assert response.status_code == 200
    assert "2000" in response.content.decode()


# --- 4xx, never 500 ----------------------------------------------------------------------------


@pytest.fixture
def desk_api(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    make_category(estate_a, code="plumbing")
    return client


def _ticket_body(estate, **changes):
    return {
        "estate": "HY01",
        "kind": "repair",
        "category": "plumbing",
        "description": "厨房水管漏水",
        "reporter_name": "王伟",
        "reporter_phone": "13812345678",
        "unit": make_unit(estate).pk,
    } | changes


@pytest.mark.parametrize("field", ["description", "reporter_name", "common_area"])
@pytest.mark.parametrize("bad", ["漏水\x00", "漏水\ud800"])
def test_api_text_with_nul_or_a_lone_surrogate_is_a_422_naming_the_field(
    desk_api, estate_a, field, bad
):
    body = json.dumps(_ticket_body(estate_a, **{field: bad}))  # \ud800 is sent escaped
    response = desk_api.post("/api/v1/tickets", body, "application/json")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("url", ["/api/v1/tickets?estate=HY01&q=a%00b", "/repairs/?q=a%00b"])
def test_a_nul_in_a_query_parameter_is_a_4xx(desk_api, url):
    response = desk_api.get(url)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "value", ["08:30+08:00", "08:30+25:00", "24:00", "8:3", "08:30:00.5", 830, "08:30Z"]
)
def test_time_of_day_with_offsets_or_out_of_range_is_a_422(client, estate_a, value):
    client.force_login(make_staff(estate_a, "manager"))
    body = {"estate": "HY01", "weekday": 0, "opens": value, "lunch_from": "12:00"}
    response = client.put("/api/v1/ticket-calendar/hours", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "opens"


def test_time_of_day_is_answered_as_documented(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    body = {"estate": "HY01", "weekday": 0, "opens": "08:30", "lunch_from": "12:00"}
    response = client.put("/api/v1/ticket-calendar/hours", json.dumps(body), "application/json")
    assert response.status_code == 200
    monday = next(h for h in response.json()["hours"] if h["weekday"] == 0)
    assert all(
        re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", t) for pair in monday["intervals"] for t in pair
    )


@pytest.mark.parametrize(
    "amount", ["1e999999999", "1E+30", "123456789012345678901234567890", "NaN", "-Infinity"]
)
def test_absurd_amounts_are_a_422_naming_the_amount(client, estate_a, amount):
    from tests.fees.factories import make_bill, make_finance

    unit = make_unit(estate_a)
    make_bill(unit)
    client.force_login(make_finance(estate_a))
    body = {"unit_id": unit.pk, "amount": amount, "method": "cash"}
    response = client.post(
        "/api/v1/payments", json.dumps(body), "application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "amount"


@pytest.mark.parametrize("value", [0, 1700000000, "0001-01-01", "9999-12-31", "2026-13-01"])
def test_dates_must_be_iso_text_between_2000_and_2100(client, estate_a, value):
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get("/api/v1/tickets", {"estate": "HY01", "reported_from": value})
    assert response.status_code == 422
    assert response.json()["field"] == "reported_from"


def test_an_empty_estate_is_documented_as_invalid_and_refused(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get("/api/v1/tickets", {"estate": ""})
    assert response.status_code == 422 and response.json()["field"] == "estate"
    schema = client.get("/api/v1/openapi.json").json()
    params = schema["paths"]["/api/v1/tickets"]["get"]["parameters"]
    estate = next(p for p in params if p["name"] == "estate")["schema"]
    assert estate.get("minLength") == 1 or any(
        s.get("minLength") == 1 for s in estate.get("anyOf", [])
    )


def test_working_hours_are_documented_as_they_are_returned(client, estate_a):
    schema = client.get("/api/v1/openapi.json").json()
    text = json.dumps(schema)
    assert '"format": "time"' not in text  # RFC 3339 "time" requires an offset


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_body_over_the_limit_is_a_413_in_the_apis_error_shape(desk_api, estate_a):
    body = json.dumps(_ticket_body(estate_a, description="漏" * 2000))
    response = desk_api.post("/api/v1/tickets", body, "application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@override_settings(MAX_REQUEST_BYTES=1000)
def test_a_request_over_the_hard_limit_is_json_on_the_api(desk_api, estate_a):
    from django.test import Client

    client = Client()
    body = json.dumps(_ticket_body(estate_a, description="漏" * 2000))
    response = client.post("/api/v1/tickets", body, "application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
