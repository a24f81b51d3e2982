"""Arrears: ageing per estate and per unit, filters, reminders (催缴记录), notices one by one or
in one PDF, exports, and a fixed number of queries."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from fees import services
from fees.models import Reminder
from residents import services as resident_services
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
TODAY = NOW.date()


def _owing(estate, number, *days_past_due, amount="100.00", contact=None):
    """A unit with one 100.00 bill per number of days past due (0: due today)."""
    unit = make_unit(estate, number)
    for i, days in enumerate(days_past_due):  # one period each: bills are unique per period
        make_bill(unit, amount, due=TODAY - dt.timedelta(days=days), period=f"2025-{i + 1:02d}")
    if contact:
        resident_services.resident_create(
            estate=estate, name=contact[0], phone=contact[1], units=[unit], primary=True
        )
    return unit


@pytest.fixture
def arrears(estate_a):
    """1-1-101 owes 30 and 31 days; 1-1-102 owes 90, 91, 180 and 181 days; 2-1-101 owes 5
    days; 2-1-102 owes nothing past due (due today)."""
    return {
        "a": _owing(estate_a, "1-1-101", 30, 31, contact=("王芳", "13812345678")),
        "b": _owing(estate_a, "1-1-102", 90, 91, 180, 181),
        "c": _owing(estate_a, "2-1-101", 5),
        "d": _owing(estate_a, "2-1-102", 0),
    }


@pytest.fixture
def finance(client, estate_a):
    user = make_staff(estate_a, "finance")
    client.force_login(user)
    return user


def _get(client, name="fees:arrears", **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(name), params)


def test_ageing_per_estate_and_per_unit(client, arrears, finance):
    response = _get(client)

    ageing = response.context["ageing"]
    assert (ageing["d0_30"], ageing["d31_90"], ageing["d91_180"], ageing["over_180"]) == (
        Decimal("200.00"),
        Decimal("200.00"),
        Decimal("200.00"),
        Decimal("100.00"),
    )
    assert (ageing["total"], ageing["units"], ageing["bills"]) == (Decimal("700.00"), 3, 7)
    rows = {r["unit__number"]: r for r in response.context["page"].rows}
    assert list(rows) == ["1-1-102", "1-1-101", "2-1-101"]  # largest total first
    assert [a for _label, a in rows["1-1-102"]["ages"]] == [0, 100, 200, 100]
    assert [a for _label, a in rows["1-1-101"]["ages"]] == [100, 100, 0, 0]
    html = response.content.decode()
    assert "王芳" in html and "138****5678" in html and "13812345678" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"bucket": "over_180"}, ["1-1-102"]),
        ({"bucket": "d0_30"}, ["1-1-101", "2-1-101"]),
        ({"min_days": "31"}, ["1-1-102", "1-1-101"]),
        ({"unit": "2"}, ["2-1-101"]),
        ({"unit": "1-1-101"}, ["1-1-101"]),
    ],
)
def test_filters(client, arrears, finance, params, expected):
    response = _get(client, **params)

    assert [r["unit__number"] for r in response.context["page"].rows] == expected


def test_units_due_a_reminder_leave_the_list_once_reminded(client, arrears, finance):
    with time_machine.travel(NOW, tick=False):
        services.reminder_record(unit=arrears["a"], channel="phone", by=finance)

    response = _get(client, to_remind="on")

    assert [r["unit__number"] for r in response.context["page"].rows] == ["1-1-102", "2-1-101"]


def test_recording_a_reminder_shows_it_on_the_list(client, arrears, finance):
    unit = arrears["b"]
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("fees:reminders", args=[unit.pk]),
            {"channel": "visit", "note": "业主出差，下周回", "promised_date": "2026-11-30"},
        )

    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert (reminder.channel, reminder.promised_date, reminder.created_by) == (
        "visit",
        dt.date(2026, 11, 30),
        finance,
    )
    row = next(r for r in _get(client).context["page"].rows if r["unit_id"] == unit.pk)
    assert row["reminder"] == reminder


def test_a_refused_reminder_keeps_what_was_typed(client, arrears, finance):
    unit = arrears["b"]
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("fees:reminders", args=[unit.pk]),
            {"channel": "phone", "note": "答应月底前交", "promised_date": "2026-11-01"},
        )

    html = response.content.decode()
    assert response.status_code == 422
    assert "答应月底前交" in html and 'value="2026-11-01"' in html
    after = html.split('name="promised_date"', 1)[1].split('name="at"', 1)[0]
    assert 'class="errorlist' in after
    assert not Reminder.objects.exists()


def test_a_technician_may_not_record_reminders(client, arrears, estate_a):
    client.force_login(make_staff(estate_a, "technician"))

    response = client.post(reverse("fees:reminders", args=[arrears["a"].pk]), {"channel": "sms"})

    assert response.status_code == 403 and not Reminder.objects.exists()
    assert _get(client).status_code == 403


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_batch_notices_print_the_units_of_the_filters_in_one_pdf(client, arrears, finance):
    everyone = _get(client, "fees:notices_pdf")
    oldest = _get(client, "fees:notices_pdf", bucket="over_180")

    assert len(PdfReader(io.BytesIO(everyone.content)).pages) == 3
    text = _pdf_text(oldest)
    assert "1-1-102" in text and "1-1-101" not in text and "2-1-101" not in text


def test_a_units_notice(client, arrears, finance):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("fees:unit_notice_pdf", args=[arrears["a"].pk]))

    text = _pdf_text(response)
    assert "1-1-101" in text and "王芳" in text


def _csv(response):
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_has_the_filtered_units_and_phones_only_for_roles_allowed(
    client, arrears, finance, manager_a
):
    as_finance = _csv(_get(client, "fees:arrears_csv", min_days="31"))
    client.force_login(manager_a)
    as_manager = _csv(_get(client, "fees:arrears_csv", min_days="31"))

    assert [r[0] for r in as_finance[1:]] == ["1-1-102", "1-1-101"]
    assert "13812345678" not in str(as_finance) and len(as_finance[0]) == len(as_manager[0]) - 1
    assert as_manager[2][:3] == ["1-1-101", "王芳", "13812345678"]


def test_the_xlsx_export(client, arrears, finance):
    response = _get(client, "fees:arrears_xlsx", unit="1-1")

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["1-1-102", "1-1-101"]
    assert Decimal(str(rows[1][6])) == Decimal("400")


@pytest.mark.parametrize("units", [1, 30])
def test_the_arrears_page_runs_a_fixed_number_of_queries(
    client, estate_a, finance, django_assert_num_queries, units
):
    for i in range(units):
        unit = _owing(estate_a, f"5-1-{i:04d}", 40, contact=("李四", f"1391234{i:04d}"))
        with time_machine.travel(NOW, tick=False):
            services.reminder_record(unit=unit, channel="sms", by=finance)
    _get(client)

    # 13: session, user, user and group permissions (2), memberships (roles), the estate of
    # ?estate / the session; the page's rows count, the rows (ageing per unit), primary contacts,
    # latest reminders, the estate's ageing; the base template's unread notifications and
    # the estate switcher's estates.
    with django_assert_num_queries(13), time_machine.travel(NOW, tick=False):
        response = client.get(reverse("fees:arrears"), {"min_days": "2"})

    assert len(response.context["page"].rows) == units
