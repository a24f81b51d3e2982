"""Bad input and bad stored values (issue 15): date windows shared by pages and the API, pages
that survive a value they cannot format, text and numbers that are a 4xx and never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from repairs.models import Ticket
from tests.factories import make_staff
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
