"""Front desk: a caller on a landline, the phone field's requirement, the caller's context."""

import json
import re

import pytest
from django.urls import reverse

from estate.errors import DomainError
from estate.validators import normalize_phone
from repairs.models import Ticket
from tests.factories import make_staff, make_unit
from tests.repairs.factories import make_category

pytestmark = pytest.mark.django_db
URL = reverse("repairs:desk")


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("0571-88886666", "057188886666"),
        ("571-88886666", "057188886666"),  # without the area code's 0
        ("(0571) 8888 6666", "057188886666"),
        ("+86 571 88886666", "057188886666"),
        ("021 5000 0000", "02150000000"),
        ("21-5000-0000", "02150000000"),
        ("02150000000", "02150000000"),
        ("０２１ ５０００ ００００", "02150000000"),  # full-width, as an input method types
        ("138 1234 5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
    ],
)
def test_mobile_and_landline_numbers_are_stored_normalised(typed, stored):
    assert normalize_phone(typed, field="reporter_phone") == stored


@pytest.mark.parametrize(
    "typed",
    ["88886666", "0571-8888666", "1381234567", "400-820-8820", "abc", "", "+1 212 555 0100"],
)
def test_a_number_that_is_neither_is_refused_naming_the_field(typed):
    with pytest.raises(DomainError) as caught:
        normalize_phone(typed, field="reporter_phone")
    assert caught.value.field == "reporter_phone"


@pytest.fixture
def desk(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    return client


def _post(client, estate, category, **changes):
    data = {
        "estate": estate.code,
        "resident": "",
        "unit": "1-1-101",
        "common_area": "",
        "reporter_name": "李先生",
        "reporter_phone": "0571-88886666",
        "kind": "repair",
        "category": str(category.pk),
        "priority": "normal",
        "channel": "phone",
        "description": "楼道灯不亮",
    } | changes
    return client.post(URL, data)


def test_the_desk_logs_a_landline_caller_and_lists_it_masked(desk, estate_a):
    make_unit(estate_a, "1-1-101")
    category = make_category(estate_a)
    response = _post(desk, estate_a, category, reporter_phone="021 5000 0000")
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.reporter_phone == "02150000000"
    queue = desk.get(reverse("repairs:queue"), {"estate": "HY01"}).content.decode()
    assert ticket.number in queue
    assert "02150000000" not in queue and ticket.reporter_phone_masked in queue
    assert ticket.reporter_phone_masked == "021****0000"


def test_a_bad_landline_comes_back_beside_the_phone_with_the_form_refilled(desk, estate_a):
    make_unit(estate_a, "1-1-101")
    category = make_category(estate_a)
    response = _post(desk, estate_a, category, reporter_phone="8888666")
    html = response.content.decode()
    assert response.status_code == 400 or response.status_code == 422
    assert re.search(
        r'id="field-reporter_phone".*?id="id_reporter_phone_error">.*?0571-88886666', html, re.S
    )
    assert 'value="李先生"' in html and Ticket.objects.count() == 0


def test_the_phone_field_shows_it_is_required_until_a_resident_is_picked(desk, estate_a):
    html = desk.get(URL, {"estate": "HY01"}).content.decode()
    field = re.search(r'id="field-reporter_phone".*?</div>', html, re.S)[0]
    assert '<span class="error">*</span>' in field and 'aria-required="true"' in field


def test_the_api_takes_a_landline_too(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    make_category(estate_a, code="plumbing")
    body = {
        "estate": "HY01",
        "kind": "repair",
        "category": "plumbing",
        "priority": "normal",
        "channel": "phone",
        "description": "楼道灯不亮",
        "reporter_name": "李先生",
        "reporter_phone": "0571-8888 6666",
        "unit": make_unit(estate_a).pk,
    }
    response = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reporter_phone"] == "057*****6666"
    assert Ticket.objects.get().reporter_phone == "057188886666"
    bad = client.post(
        "/api/v1/tickets",
        json.dumps(body | {"reporter_phone": "8888"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 or bad.status_code == 422
    assert "reporter_phone" in bad.content.decode()


def test_search_results_come_in_natural_order(desk, estate_a):
    for number in ("1-1-1001", "1-1-102", "1-1-101", "1-1-1002"):
        make_unit(estate_a, number)
    html = desk.get(reverse("repairs:desk_search"), {"estate": "HY01", "q": "1-1-10"}).content
    found = re.findall(r"<b>([\d-]+)</b>", html.decode())
    assert found == ["1-1-101", "1-1-102", "1-1-1001", "1-1-1002"]


def test_picking_a_unit_shows_its_open_tickets_and_arrears(
    desk, estate_a, django_assert_num_queries
):
    import datetime as dt

    from repairs import services
    from tests.fees.factories import make_bill
    from tests.repairs.factories import make_ticket

    unit = make_unit(estate_a, "1-1-101")
    other = make_unit(estate_a, "1-1-102")
    desk_user = make_staff(estate_a, "front_desk")
    open_one = make_ticket(estate_a, unit=unit, by=desk_user)
    done = make_ticket(estate_a, unit=unit, by=desk_user)
    services.ticket_accept(ticket=done, by=desk_user)
    services.ticket_resolve(ticket=done, by=desk_user)
    elsewhere = make_ticket(estate_a, unit=other, by=desk_user)
    make_bill(unit, "120.50", due=dt.date(2026, 1, 15))
    make_bill(unit, "80.00", due=dt.date(2026, 2, 15))
    url = reverse("repairs:desk_pick")
    # Session and user (2), estate and role checks and the unit (as the page needs them),
    # then the open tickets (1) and the arrears (1): fixed whatever the unit holds.
    desk.get(url, {"estate": "HY01", "unit": unit.pk})  # warm the per-request caches
    html = desk.get(url, {"estate": "HY01", "unit": unit.pk}).content.decode()
    context = re.search(r'id="caller-context".*?</div>\s*</div>', html, re.S)[0]
    assert open_one.number in context and "已提交" in context
    assert done.number not in context and elsewhere.number not in context
    assert 'data-total="200.50"' in context
    queries = _count(desk, url, unit)
    for _ in range(3):
        make_ticket(estate_a, unit=unit, by=desk_user)
    make_bill(unit, "10.00", due=dt.date(2026, 3, 15))
    with django_assert_num_queries(queries):
        desk.get(url, {"estate": "HY01", "unit": unit.pk})


def _count(client, url, unit) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"estate": "HY01", "unit": unit.pk})
    return len(ctx.captured_queries)
