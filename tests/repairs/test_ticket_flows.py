"""Cancelling with a confirmation and restoring; the technician's phone link, resolve and the
"why not" note; a return visit that finds the problem not solved reopens in the same step."""

import re

import pytest
from django.urls import reverse

from estate.kpi import Period, compute_all
from estate.models import AccessLog
from repairs import services
from repairs.models import Ticket
from tests.factories import make_staff, make_unit
from tests.repairs.factories import at, make_category, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_user(estate_a):
    return make_staff(estate_a, "front_desk", username="xiaoli")


@pytest.fixture
def tech(estate_a):
    return make_staff(estate_a, "technician", username="laozhang")


def _url(t, action):
    return reverse("repairs:ticket_action", args=[t.pk, action])


def _detail(t):
    return reverse("repairs:ticket_detail", args=[t.pk])


def test_cancel_says_what_it_does_has_no_preselected_reason_and_asks_to_confirm(
    client, estate_a, desk_user
):
    ticket = make_ticket(estate_a)
    client.force_login(desk_user)
    page = client.get(_detail(ticket)).content.decode()
    form = re.search(r'<form[^>]*id="action-cancel".*?</form>', page, re.S)[0]
    assert "作废工单" in form  # never a bare 取消
    select = re.search(r'<select name="cancel-reason".*?</select>', form, re.S)[0]
    assert 'value="" selected' in select or "selected" not in select
    # Without a reason: refused beside the field, nothing changes.
    step = client.post(_url(ticket, "cancel"), {"cancel-reason": "", "confirmed": "1"})
    assert step.status_code == 422 and re.search(
        r'id="id_[\w-]*?reason_error"', step.content.decode()
    )
    # The first post shows what will happen and asks again; still open.
    step = client.post(
        _url(ticket, "cancel"), {"cancel-reason": "duplicate", "cancel-note": "同上"}
    )
    html = step.content.decode()
    assert step.status_code == 200 and 'id="what-happens"' in html and "恢复" in html
    assert re.search(r'<option value="duplicate" selected>', html)
    ticket.refresh_from_db()
    assert ticket.status == "submitted"
    done = client.post(
        _url(ticket, "cancel"),
        {"cancel-reason": "duplicate", "cancel-note": "同上", "confirmed": "1"},
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.cancel_reason) == ("cancelled", "duplicate")
    # The front desk cannot restore; the page offers it to a manager only.
    assert "action-restore" not in client.get(_detail(ticket)).content.decode()


def test_a_manager_restores_a_cancelled_ticket_and_the_rates_follow(client, estate_a, desk_user):
    category = make_category(estate_a, response=30, resolve=24 * 60)
    on_time = make_ticket(estate_a, category=category, now=at("2026-10-05 09:00"))
    services.ticket_accept(ticket=on_time, by=desk_user, now=at("2026-10-05 09:10"))
    services.ticket_resolve(ticket=on_time, by=desk_user, now=at("2026-10-05 12:00"))
    late = make_ticket(estate_a, category=category, now=at("2026-10-06 09:00"))
    services.ticket_dispatch(
        ticket=late, by=desk_user, assignee=desk_user, now=at("2026-10-06 09:20")
    )
    services.ticket_cancel(ticket=late, by=desk_user, reason="invalid", now=at("2026-10-06 10:00"))
    period = Period.month(estate_a.tz, "2026-10", now=at("2026-10-20 09:00"))
    before = compute_all(estate=estate_a, period=period)["repairs.timely_rate"]
    assert (before.numerator, before.denominator) == (1, 1)

    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    assert "action-restore" in client.get(_detail(late)).content.decode()
    step = client.post(_url(late, "restore"), {"restore-reason": "误作废"})
    assert step.status_code == 200 and 'id="what-happens"' in step.content.decode()
    late.refresh_from_db()
    assert late.status == "cancelled"
    done = client.post(_url(late, "restore"), {"restore-reason": "误作废", "confirmed": "1"})
    assert done.status_code == 302
    late.refresh_from_db()
    assert (late.status, late.cancel_reason, late.cancelled_at) == ("dispatched", "", None)
    entry = late.history.order_by("-id").first()
    assert (entry.kind, entry.from_status, entry.to_status, entry.note, entry.by) == (
        "restored",
        "cancelled",
        "dispatched",
        "误作废",
        manager,
    )
    after = compute_all(estate=estate_a, period=period)["repairs.timely_rate"]
    assert (after.numerator, after.denominator) == (1, 2)  # back in, and past its deadline


def test_the_assigned_technician_gets_a_tel_link_and_the_view_is_logged(
    client, estate_a, desk_user, tech
):
    ticket = make_ticket(estate_a, reporter_phone="0571-88886666", by=desk_user)
    other = make_staff(estate_a, "technician")
    client.force_login(other)
    assert 'href="tel:' not in client.get(_detail(ticket)).content.decode()
    assert AccessLog.objects.count() == 0
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)
    client.force_login(tech)
    html = client.get(_detail(ticket)).content.decode()
    assert '<a id="reporter-phone" href="tel:057188886666">057188886666</a>' in html
    log = AccessLog.objects.get()
    assert (log.user, log.field, log.object_id) == (tech, "reporter_phone", str(ticket.pk))
    client.force_login(other)
    assert 'href="tel:' not in client.get(_detail(ticket)).content.decode()


def test_the_page_says_why_a_technician_cannot_accept_or_start(client, estate_a, desk_user, tech):
    ticket = make_ticket(estate_a)
    client.force_login(tech)
    # Not dispatched to them: a technician does not see it at all (their own work only).
    assert client.get(_detail(ticket)).status_code == 404
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)
    Ticket.objects.filter(pk=ticket.pk).update(start_blocked="quote")
    html = client.get(_detail(ticket)).content.decode()
    assert 'id="action-start"' not in html
    assert re.search(r'id="why-not".*?暂不能开工：等待住户确认', html, re.S)
    Ticket.objects.filter(pk=ticket.pk).update(start_blocked="")
    html = client.get(_detail(ticket)).content.decode()
    assert 'id="action-start"' in html, re.findall(r"id=\"why-not\".*?</div>", html, re.S)
    assert 'id="why-not"' not in html


def test_a_not_solved_visit_reopens_in_the_same_step_with_its_reason(client, estate_a, desk_user):
    ticket = make_ticket(estate_a)
    services.ticket_accept(ticket=ticket, by=desk_user)
    services.ticket_resolve(ticket=ticket, by=desk_user, note="已修")
    client.force_login(desk_user)
    page = client.get(_detail(ticket)).content.decode()
    assert 'name="visit-reopen"' in page
    # Reopen asked while the resident said it is solved: refused beside the box.
    bad = client.post(
        _url(ticket, "visit"),
        {"visit-reached": "1", "visit-solved": "1", "visit-reopen": "on"},
    )
    assert bad.status_code == 422 and re.search(
        r'id="id_[\w-]*?reopen_error"', bad.content.decode()
    )
    done = client.post(
        _url(ticket, "visit"),
        {
            "visit-reached": "1",
            "visit-solved": "0",
            "visit-rating": "2",
            "visit-comment": "还在滴水",
            "visit-reopen": "on",
        },
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "accepted" and ticket.reopen_count == 1
    reopened = ticket.history.get(kind="reopened")
    assert "还在滴水" in reopened.note and reopened.by == desk_user


def test_the_close_form_follows_the_visit_and_never_presets_solved_otherwise(
    client, estate_a, desk_user
):
    ticket = make_ticket(estate_a)
    services.ticket_accept(ticket=ticket, by=desk_user)
    services.ticket_resolve(ticket=ticket, by=desk_user)
    client.force_login(desk_user)

    def checked():
        html = client.get(_detail(ticket)).content.decode()
        form = re.search(r'<form[^>]*id="action-close".*?</form>', html, re.S)[0]
        return re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', form)

    assert checked() == []  # no visit yet: nothing chosen
    services.return_visit_record(ticket=ticket, by=desk_user, reached=True, solved=False)
    assert checked() == ["not_solved"]
    services.return_visit_record(ticket=ticket, by=desk_user, reached=False)
    assert checked() == ["not_solved"]
    services.return_visit_record(ticket=ticket, by=desk_user, reached=True, solved=True)
    assert checked() == ["solved"]


def test_resolving_with_photos_of_the_finished_work(client, estate_a, desk_user, tech):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    def png():
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), "green").save(buf, format="PNG")
        return SimpleUploadedFile("done.png", buf.getvalue(), content_type="image/png")

    ticket = make_ticket(estate_a, unit=make_unit(estate_a, "1-1-101"))
    services.ticket_dispatch(ticket=ticket, by=desk_user, assignee=tech)
    client.force_login(tech)
    done = client.post(
        _url(ticket, "resolve"),
        {"resolve-note": "换了阀门", "resolve-photos": [png(), png()], "confirmed": "1"},
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.photos.count() == 2


def test_each_phrase_goes_into_the_field_of_its_own_form(client, estate_a, desk_user):
    from repairs.models import ReplyTemplate

    ReplyTemplate.objects.create(estate=estate_a, situation="greeting", title="问候", text="您好")
    ReplyTemplate.objects.create(
        estate=estate_a, situation="dispatch", title="派工", text="已派师傅，单号{number}"
    )
    ReplyTemplate.objects.create(
        estate=estate_a, situation="hold", title="等业主", text="业主不在家"
    )
    ticket = make_ticket(estate_a)
    client.force_login(desk_user)
    html = client.get(_detail(ticket)).content.decode()
    dispatch = re.search(r'<form[^>]*id="action-dispatch".*?</form>', html, re.S)[0]
    assert f'data-insert="已派师傅，单号{ticket.number}" data-target="id_dispatch-note"' in dispatch
    hold = re.search(r'<form[^>]*id="action-hold".*?</form>', html, re.S)[0]
    assert 'data-insert="业主不在家" data-target="id_hold-reason"' in hold
    assert 'data-insert="您好"' not in html and "<script>" not in html
