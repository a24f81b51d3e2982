"""The ticket workflow (repairs/services.py): creation, transitions, history, bad input."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from estate.errors import DomainError
from estate.models import Notification
from repairs import services
from repairs.models import ReturnVisit, Ticket, TicketEvent, TicketPhoto
from tests.factories import make_estate, make_staff, make_unit
from tests.repairs.factories import at, make_category, make_department, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


@pytest.fixture
def tech(estate_a):
    return make_staff(estate_a, "technician")


def _jpeg(size=(40, 30), exif=None) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, format="JPEG", exif=exif or b"")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def _refused(field, fn, **kw):
    with pytest.raises(DomainError) as err:
        fn(**kw)
    assert err.value.field == field, err.value.message
    assert err.value.status == 422
    return err.value


# Creation ------------------------------------------------------------------------------------
def test_create_sets_number_tracking_code_deadlines_and_history(estate_a, desk):
    cat = make_category(estate_a, response=30, resolve=8 * 60)
    t = make_ticket(estate_a, category=cat, by=desk, now=at("2026-10-03 09:00"))
    assert t.number == "BX-HY01-2610-0001"
    assert len(t.tracking_code) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", t.tracking_code)
    assert t.response_due_at == at("2026-10-03 09:30")
    assert t.resolve_due_at == at("2026-10-03 17:00")
    assert t.status == "submitted" and t.channel == "phone"
    assert t.reporter_phone_masked == "138****5678" and t.reporter_phone == "13812345678"
    assert "13812345678" not in t.reporter_phone_enc
    (event,) = t.history.all()
    assert (event.kind, event.to_status, event.by) == ("created", "submitted", desk)
    t2 = make_ticket(estate_a, category=cat, by=desk, now=at("2026-10-31 23:59"))
    complaint = make_ticket(estate_a, kind="complaint", now=at("2026-11-01 00:00"))
    assert t2.number == "BX-HY01-2610-0002"
    assert complaint.number == "TS-HY01-2611-0001"
    assert complaint.channel == "web_form"  # by=None: the resident's form


def test_business_hours_category_sets_deadlines_on_the_calendar(estate_a):
    cat = make_category(estate_a, business_hours=True, response=30, resolve=240)
    t = make_ticket(estate_a, category=cat, now=at("2026-06-12 17:00"))  # a Friday
    assert t.response_due_at == at("2026-06-12 17:30")
    assert t.resolve_due_at == at("2026-06-15 12:00")
    emergency = make_ticket(
        estate_a, category=cat, priority="emergency", now=at("2026-06-12 17:00")
    )
    assert emergency.resolve_due_at == at("2026-06-12 21:00")  # emergencies: around the clock


def test_bad_input_is_refused_with_its_field_and_nothing_saved(estate_a, estate_b, desk):
    cat = make_category(estate_a)
    other_estate_cat = make_category(estate_b)
    complaint_cat = make_category(estate_a, "complaint")
    base = {
        "estate": estate_a,
        "kind": "repair",
        "category": cat,
        "priority": "normal",
        "channel": "phone",
        "description": "漏水",
        "reporter_name": "王伟",
        "reporter_phone": "13812345678",
        "unit": make_unit(estate_a),
        "by": desk,
    }
    create = services.ticket_create
    _refused("category", create, **base | {"category": 999999})
    _refused("category", create, **base | {"category": other_estate_cat})
    _refused("category", create, **base | {"category": complaint_cat})
    _refused("unit", create, **base | {"unit": make_unit(estate_b)})
    _refused("reporter_phone", create, **base | {"reporter_phone": "1234567"})
    _refused("reporter_phone", create, **base | {"reporter_phone": "021-1234567"})  # too short
    # A landline is fine from staff, not on the resident's own form (tracked by SMS).
    _refused("reporter_phone", create, **base | {"reporter_phone": "02150000000", "by": None})
    _refused("description", create, **base | {"description": "x" * 100_000})
    _refused("description", create, **base | {"description": "   "})
    _refused("priority", create, **base | {"priority": "whenever"})
    _refused("photos", create, **base | {"photos": [SimpleUploadedFile("a.jpg", b"not an image")]})
    big = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1))
    _refused("photos", create, **base | {"photos": [big]})
    _refused("photos", create, **base | {"photos": [_jpeg() for _ in range(4)]})
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0
    assert TicketPhoto.objects.count() == 0
    # Emoji and mixed scripts are text like any other.
    t = create(**base | {"description": "水管漏水 💧 leaking, срочно"})
    assert t.description.endswith("срочно")


def test_photos_are_reencoded_without_exif(estate_a):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS
    t = make_ticket(estate_a, photos=[_jpeg(exif=exif.tobytes())], now=at("2026-10-03 09:00"))
    (photo,) = t.photos.all()
    with Image.open(photo.image.path) as img:
        assert img.size == (40, 30)
        assert not img.getexif()


def test_emergency_and_major_complaint_notify_managers(
    estate_a, manager_a, django_capture_on_commit_callbacks
):
    manager_a.email = "boss@example.com"
    manager_a.save()
    cat = make_category(estate_a, "complaint")
    with pytest.raises(DomainError):
        make_ticket(estate_a, major_complaint=True, now=at("2026-10-03 09:00"))
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(estate_a, category=cat, kind="complaint", major_complaint=True)
        make_ticket(estate_a, priority="emergency")
        make_ticket(estate_a)
    titles = list(Notification.objects.filter(user=manager_a).values_list("title", flat=True))
    # Two escalations (mailed too) and the plain resident report (in-app only).
    assert len(titles) == 3
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["boss@example.com"]


# Transitions ---------------------------------------------------------------------------------
def test_the_whole_workflow_writes_one_history_entry_per_step(estate_a, desk, tech):
    t = make_ticket(estate_a, now=at("2026-10-03 09:00"))
    t = services.ticket_accept(ticket=t, by=desk, now=at("2026-10-03 09:10"))
    assert t.first_response_at == at("2026-10-03 09:10")
    t = services.ticket_dispatch(
        ticket=t,
        by=desk,
        assignee=tech,
        department=make_department(estate_a),
        now=at("2026-10-03 09:11"),
    )
    t = services.ticket_start(ticket=t, by=tech, now=at("2026-10-03 10:00"))
    t = services.ticket_resolve(ticket=t, by=tech, now=at("2026-10-03 15:00"))
    services.return_visit_record(
        ticket=t, by=desk, reached=True, solved=True, rating=5, now=at("2026-10-04 10:00")
    )
    t = services.ticket_close(ticket=t, by=desk, outcome="solved", now=at("2026-10-04 10:01"))
    assert (t.status, t.outcome, t.resolved_at) == ("closed", "solved", at("2026-10-03 15:00"))
    steps = list(t.history.values_list("kind", "from_status", "to_status"))
    assert steps == [
        ("created", "", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("dispatched", "accepted", "dispatched"),
        ("started", "dispatched", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("return_visit", "", ""),
        ("closed", "resolved", "closed"),
    ]
    assert t.history.get(kind="started").by == tech


def test_illegal_transition_is_a_409_with_a_message(estate_a, desk):
    t = make_ticket(estate_a)
    with pytest.raises(DomainError) as err:
        services.ticket_close(ticket=t, by=desk, outcome="solved")
    assert err.value.status == 409 and err.value.code == "invalid_transition"
    assert t.number in err.value.message
    assert t.history.count() == 1


def test_roles_are_checked(estate_a, estate_b, tech):
    t = make_ticket(estate_a)
    with pytest.raises(DomainError) as err:
        services.ticket_cancel(ticket=t, by=tech, reason="duplicate")
    assert err.value.status == 403
    outsider = make_staff(estate_b, "manager")
    with pytest.raises(DomainError):
        services.ticket_accept(ticket=t, by=outsider)
    with pytest.raises(DomainError):
        services.ticket_accept(ticket=t, by=None)


def test_dispatch_needs_someone_of_this_estate(estate_a, estate_b, desk):
    t = make_ticket(estate_a)
    _refused("assignee", services.ticket_dispatch, ticket=t, by=desk)
    stranger = make_staff(estate_b, "technician")
    _refused("assignee", services.ticket_dispatch, ticket=t, by=desk, assignee=stranger)
    dept = make_department(estate_b)
    _refused("department", services.ticket_dispatch, ticket=t, by=desk, department=dept)
    # Dispatching a submitted ticket is also its first response.
    t = services.ticket_dispatch(
        ticket=t, by=desk, department=make_department(estate_a), now=at("2026-10-03 09:05")
    )
    assert t.first_response_at == at("2026-10-03 09:05")


def test_hold_and_resume_move_both_running_deadlines(estate_a, desk):
    t = make_ticket(estate_a, now=at("2026-10-15 09:00"))  # response 09:30, resolve 10-16 09:00
    t = services.ticket_hold(ticket=t, by=desk, reason="业主不在家", now=at("2026-10-15 09:10"))
    assert t.status == "on_hold"
    t = services.ticket_resume(ticket=t, by=desk, now=at("2026-10-17 09:10"))
    assert t.status == "submitted"
    assert t.response_due_at == at("2026-10-17 09:30")
    assert t.resolve_due_at == at("2026-10-18 09:00")


def test_hold_on_business_hours_counts_business_time(estate_a, desk):
    cat = make_category(estate_a, business_hours=True, response=30, resolve=240)
    t = make_ticket(estate_a, category=cat, now=at("2026-06-08 09:00"))  # 180 + 60 minutes
    assert t.resolve_due_at == at("2026-06-08 14:30")
    t = services.ticket_accept(ticket=t, by=desk, now=at("2026-06-08 09:05"))
    t = services.ticket_hold(ticket=t, by=desk, reason="等业主", now=at("2026-06-08 11:00"))
    t = services.ticket_resume(ticket=t, by=desk, now=at("2026-06-08 14:30"))  # 120 min held
    assert t.status == "accepted"
    assert t.response_due_at == at("2026-06-08 09:30")  # already answered: unchanged
    assert t.resolve_due_at == at("2026-06-08 16:30")


def test_reopen_within_the_window_clears_the_resolution(estate_a, desk):
    t = make_ticket(estate_a, now=at("2026-10-15 09:00"))
    services.ticket_accept(ticket=t, by=desk, now=at("2026-10-15 09:05"))
    services.ticket_resolve(ticket=t, by=desk, now=at("2026-10-16 09:00"))
    services.ticket_close(ticket=t, by=desk, outcome="solved", now=at("2026-10-16 10:00"))
    t = services.ticket_reopen(ticket=t, by=None, reason="又漏了", now=at("2026-10-17 10:00"))
    assert (t.status, t.reopen_count, t.resolved_at, t.closed_at, t.outcome) == (
        "accepted",
        1,
        None,
        None,
        "",
    )
    assert t.history.last().by is None  # the resident
    services.ticket_resolve(ticket=t, by=desk, now=at("2026-10-17 12:00"))
    with pytest.raises(DomainError) as err:
        services.ticket_reopen(ticket=t, by=desk, reason="again", now=at("2026-10-25 12:00"))
    assert err.value.status == 409


def test_cancel_needs_a_known_reason(estate_a, desk):
    t = make_ticket(estate_a)
    _refused("reason", services.ticket_cancel, ticket=t, by=desk, reason="bored")
    t = services.ticket_cancel(ticket=t, by=desk, reason="duplicate", note="同 BX-0001")
    assert (t.status, t.cancel_reason) == ("cancelled", "duplicate")
    with pytest.raises(DomainError):
        services.ticket_resolve(ticket=t, by=desk)


# Return visits -------------------------------------------------------------------------------
def test_return_visits_denormalise_the_latest_reached_one(estate_a, desk):
    t = make_ticket(estate_a, now=at("2026-10-15 09:00"))
    services.ticket_accept(ticket=t, by=desk, now=at("2026-10-15 09:05"))
    with pytest.raises(DomainError):
        services.return_visit_record(ticket=t, by=desk, reached=True, rating=5)
    services.ticket_resolve(ticket=t, by=desk, now=at("2026-10-16 09:00"))
    services.return_visit_record(ticket=t, by=desk, reached=False, now=at("2026-10-16 10:00"))
    t.refresh_from_db()
    assert t.return_visited_at is None
    _refused("reached", services.return_visit_record, ticket=t, by=desk, reached=False, rating=3)
    _refused("rating", services.return_visit_record, ticket=t, by=desk, reached=True, rating=6)
    services.return_visit_record(
        ticket=t, by=desk, reached=True, solved=True, rating=2, now=at("2026-10-16 11:00")
    )
    services.return_visit_record(ticket=t, by=desk, reached=True, now=at("2026-10-16 12:00"))
    t.refresh_from_db()
    assert (t.return_visited_at, t.return_visit_rating) == (at("2026-10-16 12:00"), 2)
    assert ReturnVisit.objects.filter(ticket=t).count() == 3


def test_resident_rates_once_per_resolution(estate_a, desk):
    t = make_ticket(estate_a, now=at("2026-10-15 09:00"))
    with pytest.raises(DomainError):
        services.ticket_rate_by_resident(ticket=t, rating=5)
    services.ticket_accept(ticket=t, by=desk)
    services.ticket_resolve(ticket=t, by=desk)
    services.ticket_rate_by_resident(ticket=t, rating=4, comment="很快")
    t.refresh_from_db()
    assert t.return_visit_rating == 4 and t.return_visited_at is not None
    with pytest.raises(DomainError) as err:
        services.ticket_rate_by_resident(ticket=t, rating=1)
    assert err.value.status == 409
    _refused("rating", services.ticket_rate_by_resident, ticket=t, rating=None)


# Periodic work -------------------------------------------------------------------------------
def test_overdue_flagging_is_idempotent_and_notifies_once(estate_a, manager_a, desk):
    late = make_ticket(estate_a, now=at("2026-10-15 09:00"))  # response due 09:30
    fresh = make_ticket(estate_a, now=at("2026-10-15 10:00"))
    assert services.tickets_flag_overdue(now=at("2026-10-15 09:45")) == 1
    assert services.tickets_flag_overdue(now=at("2026-10-15 09:50")) == 0
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.is_overdue and not fresh.is_overdue
    assert late.history.filter(kind="overdue").count() == 1
    assert Notification.objects.filter(user=manager_a, link__contains="overdue=1").count() == 1
    # Accepting answers the response deadline; the next run clears the flag.
    services.ticket_accept(ticket=late, by=desk, now=at("2026-10-15 09:55"))
    services.tickets_flag_overdue(now=at("2026-10-15 10:00"))
    late.refresh_from_db()
    assert not late.is_overdue


def test_quality_sample_is_idempotent(estate_a, desk):
    from estate.kpi import Period

    for day in range(1, 21):
        t = make_ticket(estate_a, now=at(f"2026-09-{day:02d} 09:00"))
        services.ticket_accept(ticket=t, by=desk, now=at(f"2026-09-{day:02d} 09:05"))
        services.ticket_resolve(ticket=t, by=desk, now=at(f"2026-09-{day:02d} 12:00"))
    make_ticket(estate_a, now=at("2026-09-25 09:00"))  # open: not in the population
    period = Period.month(estate_a.tz, "2026-09", now=at("2026-10-01 02:00"))
    run = services.return_visit_sample_create(estate=estate_a, period=period)
    assert run.population == 20 and run.items.count() == 5  # 10% of 20 is 2; the minimum is 5
    again = services.return_visit_sample_create(estate=estate_a, period=period)
    assert again.pk == run.pk
    assert sorted(again.items.values_list("ticket_id", flat=True)) == sorted(
        run.items.values_list("ticket_id", flat=True)
    )
    assert services.return_visit_samples_create_all(now=at("2026-10-01 02:00")) == 0
    make_estate(code="HY09")  # a new estate gets its (empty) sample; HY01 keeps its own
    assert services.return_visit_samples_create_all(now=at("2026-10-01 02:00")) == 1


def test_dispatch_event_names_the_assignee(estate_a, desk, tech):
    tech.first_name = "李工"
    tech.save()
    t = make_ticket(estate_a)
    services.ticket_dispatch(ticket=t, by=desk, assignee=tech, now=at("2026-10-03 09:00"))
    assert "李工" in t.history.get(kind="dispatched").note


# Deadlines on hold (KPI.md): only the business minutes a hold covered move a deadline ----------
def _business_ticket(estate, desk, reported: str, resolve: int):
    cat = make_category(estate, business_hours=True, response=5, resolve=resolve)
    t = make_ticket(estate, category=cat, now=at(reported))
    return services.ticket_accept(ticket=t, by=desk, now=at(reported) + dt.timedelta(minutes=1))


def _hold(t, desk, start: str, end: str):
    t = services.ticket_hold(ticket=t, by=desk, reason="等业主", now=at(start))
    return services.ticket_resume(ticket=t, by=desk, now=at(end))


def test_a_hold_after_closing_time_does_not_push_the_deadline_to_the_next_morning(estate_a, desk):
    t = _business_ticket(estate_a, desk, "2026-06-08 13:30", resolve=240)
    assert t.resolve_due_at == at("2026-06-08 17:30")
    t = _hold(t, desk, "2026-06-08 17:45", "2026-06-08 18:30")
    assert t.resolve_due_at == at("2026-06-08 17:30")
    t = services.ticket_resolve(ticket=t, by=desk, now=at("2026-06-08 18:40"))
    assert t.resolved_at > t.resolve_due_at  # late stays late


def test_a_hold_over_the_lunch_break_moves_nothing(estate_a, desk):
    t = _business_ticket(estate_a, desk, "2026-06-08 08:30", resolve=210)
    assert t.resolve_due_at == at("2026-06-08 12:00")
    t = _hold(t, desk, "2026-06-08 12:05", "2026-06-08 13:25")
    assert t.resolve_due_at == at("2026-06-08 12:00")


def test_a_hold_that_spans_business_minutes_moves_by_them(estate_a, desk):
    t = _business_ticket(estate_a, desk, "2026-06-08 13:30", resolve=240)
    t = _hold(t, desk, "2026-06-08 17:00", "2026-06-08 18:30")  # 30 business minutes
    assert t.resolve_due_at == at("2026-06-09 09:00")
