"""The staff pages (calendar, booking form, day list, the tablet page, the drill-down list)
and the owner's public rating link."""

import datetime as dt

import pytest
from django.urls import reverse

from residents.movein import services
from residents.movein.models import Handover, HandoverItem
from tests.factories import make_staff, make_unit
from tests.movein.factories import at, book, complete, first_slot

pytestmark = pytest.mark.django_db

SOON = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


def test_calendar_shows_booked_over_capacity(client, estate_a, desk):
    slot = first_slot(estate_a)
    book(estate_a, date=SOON, slot=slot, now=None)
    client.force_login(desk)
    response = client.get(reverse("movein:calendar"), {"estate": "HY01", "start": SOON})
    assert response.status_code == 200
    assert "1/4" in response.content.decode()


def test_booking_form_books_and_comes_back_filled_on_error(client, estate_a, estate_b, desk):
    slot = first_slot(estate_a)
    make_unit(estate_a, "3-2-1501")
    make_unit(estate_b, "9-9-909")
    client.force_login(desk)
    url = reverse("movein:book") + "?estate=HY01"
    data = {
        "unit": "9-9-909",  # a unit of another estate
        "date": SOON.isoformat(),
        "slot": slot.pk,
        "owner_name": "王芳",
        "owner_phone": "13912345678",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "王芳" in html and "13912345678" in html and "9-9-909" in html
    assert response.context["form"].errors["unit"]
    assert not Handover.objects.exists()

    response = client.post(url, data | {"date": "2020-01-01", "unit": "3-2-1501"})
    assert response.status_code == 422 and response.context["form"].errors["date"]
    assert not Handover.objects.exists()

    response = client.post(url, data | {"unit": "3-2-1501"})
    handover = Handover.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("movein:handover", args=[handover.pk])


def test_full_slot_refused_on_the_form(client, estate_a, desk):
    slot = first_slot(estate_a)
    slot.capacity = 1
    slot.save()
    book(estate_a, date=SOON, slot=slot, now=None)
    client.force_login(desk)
    response = client.post(
        reverse("movein:book") + "?estate=HY01",
        {
            "unit": make_unit(estate_a).number,
            "date": SOON.isoformat(),
            "slot": slot.pk,
            "owner_name": "王芳",
            "owner_phone": "13912345678",
        },
    )
    assert response.status_code == 422 and response.context["form"].errors["slot"]
    assert Handover.objects.count() == 1


def test_tablet_page_walks_the_checklist_with_htmx(client, estate_a, desk):
    handover = book(estate_a)
    client.force_login(desk)
    page = reverse("movein:handover", args=[handover.pk])
    html = client.get(page).content.decode()
    assert "Start the handover" in html or "开始" in html
    assert f"movein/handovers/{handover.pk}/complete/" not in html  # no complete button yet
    client.post(reverse("movein:action", args=[handover.pk, "start"]))
    gas = HandoverItem.objects.get(handover=handover, code="meter_gas")
    url = reverse("movein:item", args=[handover.pk, gas.pk])
    response = client.post(url, {"done": "1", "reading": "abc"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="item-{gas.pk}"' in response.content.decode()
    assert "abc" in response.content.decode()  # what was typed stays
    assert not HandoverItem.objects.get(pk=gas.pk).done
    response = client.post(url, {"done": "1", "reading": "88.5"}, HTTP_HX_REQUEST="true")
    assert HandoverItem.objects.get(pk=gas.pk).done
    # Completing with open items is refused (409) and says why.
    response = client.post(reverse("movein:action", args=[handover.pk, "complete"]))
    assert response.status_code == 409
    for item in HandoverItem.objects.filter(handover=handover, done=False):
        client.post(
            reverse("movein:item", args=[handover.pk, item.pk]),
            {"done": "1", "key_count": "2", "reading": "1"},
        )
    html = client.get(page).content.decode()
    assert f"movein/handovers/{handover.pk}/complete/" in html
    assert client.post(reverse("movein:action", args=[handover.pk, "complete"])).status_code == 302
    assert Handover.objects.get(pk=handover.pk).status == "completed"


def test_defects_show_their_ticket_status(client, estate_a, desk):
    handover = services.handover_start(handover=book(estate_a))
    client.force_login(desk)
    response = client.post(
        reverse("movein:defect_add", args=[handover.pk]), {"description": "阳台地漏堵塞"}
    )
    assert response.status_code == 302
    html = client.get(reverse("movein:handover", args=[handover.pk])).content.decode()
    assert "阳台地漏堵塞" in html and "BX-HY01" in html
    response = client.post(reverse("movein:defect_add", args=[handover.pk]), {"description": ""})
    assert response.status_code == 422


def test_rating_of_6_refused_on_the_tablet(client, estate_a, desk):
    handover = services.handover_start(handover=book(estate_a))
    client.force_login(desk)
    response = client.post(reverse("movein:rate", args=[handover.pk]), {"rating": "6"})
    assert response.status_code == 422 and response.context["rating_form"].errors["rating"]
    assert Handover.objects.get(pk=handover.pk).rating is None
    client.post(reverse("movein:rate", args=[handover.pk]), {"rating": "4", "comment": "好"})
    assert Handover.objects.get(pk=handover.pk).rating == 4


def test_public_rating_link(client, estate_a):
    handover = services.handover_start(handover=book(estate_a))
    url = reverse("public:handover_rate", args=["HY01", handover.rating_token])
    assert client.get(url).status_code == 200
    response = client.post(url, {"rating": "6"})
    assert response.status_code == 422
    response = client.post(url, {"rating": "5", "comment": "很好"})
    assert response.status_code == 200
    assert Handover.objects.get(pk=handover.pk).rating == 5
    assert client.post(url, {"rating": "1"}).status_code == 422  # once only
    assert Handover.objects.get(pk=handover.pk).rating == 5


def test_public_rating_link_of_another_estate_is_404(client, estate_a, estate_b):
    handover = services.handover_start(handover=book(estate_b))
    assert client.get(f"/r/HY01/handover/{handover.rating_token}/").status_code == 404
    assert client.get("/r/HY01/handover/not-a-real-token-at-all/").status_code == 404
    booked = book(estate_a)  # not started: nothing to rate yet
    assert client.get(f"/r/HY01/handover/{booked.rating_token}/").status_code == 404


def test_drill_down_list_shows_exactly_the_counted_records(client, estate_a):
    on_time = complete(book(estate_a, date=dt.date(2026, 10, 10)), at("2026-10-10 15:00"))
    late = complete(book(estate_a, date=dt.date(2026, 10, 10)), at("2026-10-12 15:00"))
    client.force_login(make_staff(estate_a, "manager"))
    query = {"estate": "HY01", "period": "2026-10", "metric": "movein.on_schedule_rate"}
    num = client.get(reverse("movein:list"), query | {"part": "numerator"})
    den = client.get(reverse("movein:list"), query | {"part": "denominator"})
    assert [h.pk for h in num.context["page"].rows] == [on_time.pk]
    assert {h.pk for h in den.context["page"].rows} == {on_time.pk, late.pk}
    bad = client.get(reverse("movein:list"), query | {"metric": "movein.nope"})
    assert bad.status_code == 400


@pytest.mark.parametrize("rows", [1, 30])
def test_list_page_runs_a_fixed_number_of_queries(
    client, estate_a, desk, rows, django_assert_num_queries
):
    for i in range(rows):
        book(estate_a, date=dt.date(2026, 10, 10) + dt.timedelta(days=i))
    client.force_login(desk)
    client.get(reverse("movein:list"), {"estate": "HY01"})
    with django_assert_num_queries(QUERIES_LIST):
        response = client.get(reverse("movein:list"), {"estate": "HY01"})
    assert response.context["page"].count == rows


# session, user, the user's and group permissions (company-wide admin?), memberships (role),
# the estate by code; the count, the page (unit, owner and slot joined in); then the page
# frame: the switcher's estates, unread notifications, the current estate.
QUERIES_LIST = 11


def test_other_estate_filters_are_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_b, "manager"))
    for name in ("movein:calendar", "movein:day", "movein:list", "movein:book"):
        assert client.get(reverse(name), {"estate": "HY01"}).status_code == 404, name


def test_technician_may_view_but_not_book(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get(reverse("movein:calendar"), {"estate": "HY01"}).status_code == 200
    assert client.get(reverse("movein:book"), {"estate": "HY01"}).status_code == 403
