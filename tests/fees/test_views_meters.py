"""Meter readings: the batch entry page and the XLSX import whose dry run records nothing and
reports every row's error with its row number in the sheet."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fees import services
from fees.models import FeeItem, MeterReading
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, make_fee_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def water(estate_a):
    return make_fee_item(estate_a, "WATER", basis=FeeItem.Basis.METERED, price="3.50")


@pytest.fixture
def units(estate_a):
    return [make_unit(estate_a, n) for n in ("1-1-101", "1-1-102", "1-1-103")]


@pytest.fixture
def reader(client, estate_a):
    user = make_staff(estate_a, "technician")
    client.force_login(user)
    return user


def _sheet_url(water, period="2026-10"):
    return f"{reverse('fees:meters')}?item={water.pk}&period={period}"


def test_one_row_per_unit_with_the_previous_reading(client, water, units, reader):
    services.meter_reading_record(
        unit=units[0], fee_item=water, period_label="2026-09", reading="120.00", by=reader
    )

    response = client.get(_sheet_url(water))

    rows = response.context["page"].rows
    assert [u.number for u in rows] == ["1-1-101", "1-1-102", "1-1-103"]
    assert rows[0].previous == Decimal("120.00") and rows[1].previous is None


def test_saving_the_typed_readings(client, water, units, reader):
    data = {f"r{units[0].pk}": "12.5", f"r{units[2].pk}": "30", f"r{units[1].pk}": ""}

    response = client.post(_sheet_url(water), data)

    assert response.status_code == 302
    saved = dict(MeterReading.objects.values_list("unit__number", "reading"))
    assert saved == {"1-1-101": Decimal("12.50"), "1-1-103": Decimal("30.00")}


def test_one_bad_row_saves_nothing_and_shows_its_error_beside_it(client, water, units, reader):
    services.meter_reading_record(
        unit=units[1], fee_item=water, period_label="2026-09", reading="500", by=reader
    )
    data = {f"r{units[0].pk}": "12.5", f"r{units[1].pk}": "499"}  # below the previous 500

    response = client.post(_sheet_url(water), data)

    html = response.content.decode()
    assert response.status_code == 422
    assert not MeterReading.objects.filter(period="2026-10").exists()
    assert f'name="r{units[0].pk}"' in html and 'value="12.5"' in html  # typed values kept
    row = html.split(f'name="r{units[1].pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'value="499"' in row and 'class="errorlist' in row and "500" in row


def test_a_billed_period_is_read_only(client, water, units, reader):
    services.meter_reading_record(
        unit=units[0], fee_item=water, period_label="2026-10", reading="10", by=reader
    )
    make_bill(units[0], "35.00", period="2026-10", fee_item=water)

    html = client.get(_sheet_url(water)).content.decode()

    assert f'name="r{units[0].pk}"' not in html and f'name="r{units[1].pk}"' in html


def _xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        "readings.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _upload(client, water, rows, period="2026-10"):
    return client.post(
        reverse("fees:meter_import"), {"item": water.pk, "period": period, "file": _xlsx(rows)}
    )


def test_the_dry_run_records_nothing_and_reports_each_bad_row_by_its_row_number(
    client, water, units, reader
):
    response = _upload(
        client,
        water,
        [
            ["房号", "读数"],  # row 1: headings
            ["1-1-101", 12.5],  # row 2: fine
            ["9-9-999", 3],  # row 3: no such unit
            ["1-1-102", "abc"],  # row 4: not a number
            ["1-1-101", 13],  # row 5: listed twice
            ["1-1-103", None],  # row 6: not read yet, left out
            ["1-1-103", -1],  # row 7: negative
        ],
    )

    assert response.status_code == 422
    assert not MeterReading.objects.exists()
    errors = {(e["row"], e["unit"]) for e in response.context["dry_run"]["errors"]}
    assert errors == {(3, "9-9-999"), (4, "1-1-102"), (5, "1-1-101"), (7, "1-1-103")}
    assert response.context["token"] == ""  # nothing to confirm
    html = response.content.decode()
    assert "9-9-999" in html and 'name="confirm"' not in html


def test_a_clean_dry_run_shows_what_would_be_recorded_and_confirming_records_it(
    client, water, units, reader
):
    services.meter_reading_record(
        unit=units[0], fee_item=water, period_label="2026-09", reading="100", by=reader
    )

    dry = _upload(client, water, [["1-1-101", 112.5], ["1-1-102", "30"]])

    assert dry.status_code == 200
    assert not MeterReading.objects.filter(period="2026-10").exists()
    preview = {(r.unit.number, r.previous, r.usage) for r in dry.context["dry_run"]["readings"]}
    assert preview == {
        ("1-1-101", Decimal("100"), Decimal("12.50")),
        ("1-1-102", Decimal("0.00"), Decimal("30.00")),
    }
    token = re.search(r'name="confirm" value="([0-9a-f]{32})"', dry.content.decode()).group(1)

    done = client.post(reverse("fees:meter_import"), {"confirm": token})
    again = client.post(reverse("fees:meter_import"), {"confirm": token})

    assert done.status_code == again.status_code == 302
    saved = dict(
        MeterReading.objects.filter(period="2026-10").values_list("unit__number", "reading")
    )
    assert saved == {"1-1-101": Decimal("112.50"), "1-1-102": Decimal("30.00")}


def test_a_file_that_is_not_a_spreadsheet_is_refused_beside_the_file_field(
    client, water, units, reader
):
    response = client.post(
        reverse("fees:meter_import"),
        {
            "item": water.pk,
            "period": "2026-10",
            "file": SimpleUploadedFile("readings.xlsx", b"not a zip", content_type="text/plain"),
        },
    )

    html = response.content.decode()
    assert response.status_code == 422
    after = html.split('name="file"', 1)[1]
    assert 'class="errorlist' in after.split("</form>", 1)[0]
    assert not MeterReading.objects.exists()


def test_the_sheet_to_fill_in_lists_every_unit_with_its_previous_reading(
    client, water, units, reader
):
    services.meter_reading_record(
        unit=units[2], fee_item=water, period_label="2026-09", reading="77", by=reader
    )

    response = client.get(reverse("fees:meter_template"), {"item": water.pk, "period": "2026-10"})

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["1-1-101", "1-1-102", "1-1-103"]
    assert rows[3][2] == 77


@pytest.mark.parametrize("role", ["manager"])
def test_roles_that_do_not_read_meters_are_refused(client, estate_a, water, role):
    client.force_login(make_staff(estate_a, role))

    assert client.get(_sheet_url(water)).status_code == 403
    assert client.get(reverse("fees:meter_import")).status_code == 403
