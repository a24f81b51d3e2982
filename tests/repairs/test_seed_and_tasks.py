"""Demo tickets, the periodic tasks and the management commands."""

import pytest
from django.core.management import call_command

from estate.kpi import Period
from estate.models import Estate
from repairs import metrics, tasks
from repairs.models import Category, ReturnVisitSample, Ticket, TicketEvent
from tests.repairs.factories import at, make_ticket

pytestmark = pytest.mark.django_db

NOW = "2026-11-02T03:00:00+08:00"


def test_demo_tickets_have_consistent_histories_and_real_rates():
    call_command(
        "seed_demo",
        "--estates",
        "1",
        "--months",
        "3",
        "--seed",
        "3",
        "--units-per-estate",
        "60",
        "--now",
        NOW,
    )
    estate = Estate.objects.get()
    tickets = list(Ticket.objects.prefetch_related("history"))
    assert len(tickets) > 60
    statuses = {t.status for t in tickets}
    assert {"closed", "resolved", "cancelled"} <= statuses
    assert any(t.reopen_count for t in tickets)
    for t in tickets:
        history = list(t.history.all())
        assert history[0].kind == "created" and history[0].at == t.reported_at
        moves = [e for e in history if e.to_status]
        assert moves[-1].to_status == t.status, t.number
        assert [e.at for e in history] == sorted(e.at for e in history)
        if t.first_response_at:
            assert t.first_response_at >= t.reported_at
    period = Period.month(estate.tz, "2026-10", now=at("2026-11-02 03:00"))
    result = metrics.compute(estate=estate, period=period)
    for key in ("repairs.response_timely_rate", "repairs.timely_rate", "repairs.satisfaction_rate"):
        assert 0 < result[key].rate < 1, key
    assert ReturnVisitSample.objects.exists()
    assert TicketEvent.objects.filter(kind="held").exists()


def test_periodic_tasks_call_the_services(estate_a, manager_a):
    make_ticket(estate_a, now=at("2026-10-01 09:00"))
    assert tasks.tickets_flag_overdue.call_local() == 1
    assert tasks.tickets_flag_overdue.call_local() == 0
    assert tasks.return_visit_samples_create.call_local() == 1


def test_commands_install_defaults_and_calendar(estate_a, capsys):
    call_command("repairs_defaults", "--estate", "hy01")
    call_command("repairs_defaults")
    assert Category.objects.filter(estate=estate_a, code="after_sales", kind="repair").exists()
    call_command("repairs_calendar_import", "--year", "2026")
    assert "chinese_calendar" in capsys.readouterr().out
