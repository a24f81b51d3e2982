"""Who is told: a new resident report, an emergency, a major complaint and overdue tickets
reach the front desk and the managers of that estate (not another estate's, not the
technicians), with a link to the ticket, an unread badge, and a standing alert while tickets
are overdue."""

import re

import pytest
from django.urls import reverse

from estate.models import Notification
from repairs import services
from tests.factories import make_staff
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.django_db


def test_the_desk_and_managers_of_the_estate_are_told_with_a_link(client, estate_a, estate_b):
    desk = make_staff(estate_a, "front_desk")
    manager = make_staff(estate_a, "manager")
    tech = make_staff(estate_a, "technician")
    elsewhere = make_staff(estate_b, "front_desk")
    complaint = make_category(estate_a, "complaint")
    report = make_ticket(estate_a)  # a resident's own report
    emergency = make_ticket(estate_a, priority="emergency", by=desk)
    major = make_ticket(
        estate_a, category=complaint, kind="complaint", major_complaint=True, by=desk
    )
    quiet = make_ticket(estate_a, by=desk)  # logged by the desk itself: nobody is told
    for user in (desk, manager):
        links = set(Notification.objects.filter(user=user).values_list("link", flat=True))
        assert links == {
            reverse("repairs:ticket_detail", args=[t.pk]) for t in (report, emergency, major)
        }
    assert not Notification.objects.filter(user__in=[tech, elsewhere]).exists()
    assert not Notification.objects.filter(link__endswith=f"/{quiet.pk}/").exists()

    client.force_login(desk)
    html = client.get(reverse("repairs:queue")).content.decode()
    badge = re.search(
        r'href="/notifications/"[^>]*>.*?<span class="badge danger">(\d+)</span>', html, re.S
    )
    assert badge and badge[1] == "3"
    page = client.get(reverse("notifications")).content.decode()
    assert f'href="{reverse("repairs:ticket_detail", args=[report.pk])}"' in page


def test_overdue_tickets_are_told_and_the_list_is_never_silently_empty(client, estate_a):
    desk = make_staff(estate_a, "front_desk")
    make_ticket(estate_a, by=desk, now=at("2026-10-15 09:00"))  # response due 09:30
    services.tickets_flag_overdue(now=at("2026-10-15 09:45"))
    told = Notification.objects.get(user=desk)
    assert "overdue=1" in told.link and "estate=HY01" in told.link
    # Read and marked read: the page still says tickets are overdue now, with the link.
    client.force_login(desk)
    client.post(reverse("notifications"))
    page = client.get(reverse("notifications")).content.decode()
    alert = re.search(r'id="alerts".*?</div>', page, re.S)[0]
    assert f'href="{reverse("repairs:queue")}?estate=HY01&amp;overdue=1"' in alert
    assert "1" in alert
    # A technician does not act on the queue: no alert for them.
    client.force_login(make_staff(estate_a, "technician"))
    assert 'id="alerts"' not in client.get(reverse("notifications")).content.decode()
