"""A payment's date lies between the estate's books opening and now: the service, the API
and the cashier page refuse anything else with an error on ``received_at``, nothing saved."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from estate.errors import DomainError
from fees.models import FinanceSettings, Payment
from tests.fees.factories import make_bill, pay

pytestmark = pytest.mark.django_db

BOOKS_OPEN = dt.date(2026, 1, 1)


@pytest.fixture
def books(estate_a, unit_a):
    make_bill(unit_a, "100.00")
    return FinanceSettings.objects.create(estate=estate_a, books_open_on=BOOKS_OPEN)


def test_the_service_keeps_payments_between_the_books_opening_and_now(unit_a, finance_a, books):
    # 2025-12-31 23:59 in Shanghai is 15:59 UTC: the day before the books open, refused.
    for moment in (
        dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC),
        timezone.now() + dt.timedelta(hours=1),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    ):
        with pytest.raises(DomainError) as exc:
            pay(unit_a, "1.00", finance_a, received_at=moment)
        assert exc.value.field == "received_at", moment
    # Midnight of the first day, local time, is fine.
    pay(unit_a, "1.00", finance_a, received_at=dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC))
    assert Payment.objects.count() == 1


def test_without_settings_the_books_open_with_the_first_billing_period(unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    with pytest.raises(DomainError) as exc:
        pay(unit_a, "1.00", finance_a, received_at=dt.datetime(1999, 12, 31, tzinfo=dt.UTC))
    assert "2000" in exc.value.message
    with pytest.raises(DomainError) as exc:
        pay(unit_a, "1.00", finance_a, received_at=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    assert exc.value.field == "received_at" and str(bill.period_start) in exc.value.message
    opened = dt.datetime.combine(bill.period_start, dt.time(0), tzinfo=unit_a.estate.tz)
    pay(unit_a, "1.00", finance_a, received_at=opened)


@pytest.mark.parametrize(
    "received_at",
    ["2025-12-31T23:59:00+08:00", "2999-01-01T00:00:00+08:00", "0001-01-01T00:00:00+00:00"],
)
def test_the_api_answers_422_on_received_at(client, unit_a, finance_a, books, received_at):
    client.force_login(finance_a)
    body = {"unit_id": unit_a.pk, "amount": "1.00", "method": "cash", "received_at": received_at}
    response = client.post(
        "/api/v1/payments",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "received_at"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "received_at", ["2025-12-31T23:59", "2999-01-01T09:00", "0001-01-01T00:00"]
)
def test_the_cashier_page_shows_the_error_beside_the_field(
    client, unit_a, finance_a, books, received_at
):
    client.force_login(finance_a)
    html = client.get(reverse("fees:cashier_unit", args=[unit_a.pk])).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)
    data = {
        "amount": "1.00",
        "method": "cash",
        "payer": "张三",
        "allocation": "oldest",
        "received_at": received_at,
        "idempotency_key": key,
    }
    response = client.post(reverse("fees:cashier_unit", args=[unit_a.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    field = page[page.find('name="received_at"') - 600 : page.find('name="received_at"') + 600]
    assert "errorlist" in field
    assert 'value="张三"' in page  # what was typed is kept
    assert not Payment.objects.exists()
