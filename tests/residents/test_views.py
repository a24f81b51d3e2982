"""The resident pages: masked everywhere for the front desk, the logged "show" for managers,
the access log, the form that comes back filled, imports, merges, query counts, cross-estate."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from estate.models import AccessLog
from residents.models import Occupancy, Resident
from tests.factories import make_staff, make_unit
from tests.residents.factories import ID_1, make_resident

PHONE, ID = "13812345678", ID_1


@pytest.fixture
def desk(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))
    return client


@pytest.fixture
def manager(estate_a):
    return make_staff(estate_a, "manager")


@pytest.fixture
def file_a(estate_a):
    return make_resident(
        estate_a, name="王伟", phone=PHONE, id_number=ID, units=[make_unit(estate_a, "3-2-1501")]
    )


def _text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_list_search_and_detail_are_masked_for_the_front_desk(desk, estate_a, file_a):
    list_url = reverse("residents:list") + "?estate=HY01"
    for response in (
        desk.get(list_url),
        desk.post(list_url, {"q": PHONE}, HTTP_HX_REQUEST="true"),
        desk.get(list_url + "&q=5678"),
        desk.get(list_url + "&q=3-2-15"),
        desk.get(reverse("residents:detail", args=[file_a.pk]) + "?estate=HY01"),
    ):
        body = _text(response)
        assert response.status_code == 200 and "王伟" in body
        assert "138****5678" in body and PHONE not in body and ID not in body
        assert "Show (logged)" not in body and "显示" not in body
    # A full number in a URL is not searched (it would land in logs).
    response = desk.get(list_url + f"&q={PHONE}")
    assert response.context["ignored"] and response.context["q"] == ""


def test_front_desk_cannot_show_nor_export(desk, file_a):
    url = reverse("residents:detail", args=[file_a.pk]) + "?estate=HY01"
    assert desk.post(url, {"reveal": "phone"}).status_code == 403
    assert desk.get(reverse("residents:export_csv") + "?estate=HY01").status_code == 403
    assert desk.get(reverse("residents:access_log") + "?estate=HY01").status_code == 403
    assert not AccessLog.objects.exists()


def test_manager_shows_a_number_logged_and_reads_it_in_the_access_log(client, manager, file_a):
    client.force_login(manager)
    url = reverse("residents:detail", args=[file_a.pk]) + "?estate=HY01"
    page = _text(client.get(url))
    assert PHONE not in page and "file-access-log" in page
    response = client.post(url, {"reveal": "phone"})
    assert response.status_code == 200 and PHONE in _text(response) and ID not in _text(response)
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.field) == (manager, str(file_a.pk), "phone")
    assert log.path.startswith(reverse("residents:detail", args=[file_a.pk]))

    log_page = client.get(reverse("residents:access_log") + f"?estate=HY01&record={file_a.pk}")
    assert [e.field for e in log_page.context["page"].rows] == ["phone"]
    empty = client.get(reverse("residents:access_log") + "?estate=HY01&field=id_number")
    assert empty.context["page"].rows == []
    csv = _text(client.get(reverse("residents:access_log_csv") + "?estate=HY01"))
    assert manager.username in csv and "phone" in csv
    xlsx = client.get(reverse("residents:access_log_xlsx") + "?estate=HY01")
    assert xlsx.status_code == 200


def test_exports_are_masked_logged_and_escape_formulas(client, manager, estate_a, file_a):
    make_resident(estate_a, name="=HYPERLINK(1)", phone="13900000001")
    client.force_login(manager)
    csv = _text(client.get(reverse("residents:export_csv") + "?estate=HY01"))
    assert "138****5678" in csv and PHONE not in csv and ID not in csv
    assert "'=HYPERLINK(1)" in csv
    response = client.get(reverse("residents:export_xlsx") + "?estate=HY01")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]
    assert "138****5678" in values and PHONE not in values and "'=HYPERLINK(1)" in values
    assert AccessLog.objects.filter(field="export").count() == 2


def test_form_comes_back_filled_with_errors_beside_fields(desk, estate_a, estate_b):
    make_unit(estate_b, "9-9-909")
    url = reverse("residents:new") + "?estate=HY01"
    data = {
        "name": "李娜",
        "phone": "1381234567",
        "kind": "owner",
        "id_kind": "national_id",
        "notes": "三楼东户",
    }
    response = desk.post(url, data)
    body = _text(response)
    assert response.status_code == 422 and "三楼东户" in body and 'value="李娜"' in body
    assert 'id="id_phone_error"' in body
    response = desk.post(url, data | {"phone": PHONE, "id_number": "110101199003071234"})
    assert response.status_code == 422 and 'id="id_id_number_error"' in _text(response)
    response = desk.post(url, data | {"phone": PHONE, "units": "9-9-909"})
    assert response.status_code == 422 and 'id="id_units_error"' in _text(response)
    assert not Resident.objects.exists()

    response = desk.post(url, data | {"phone": PHONE, "vehicles": "沪A12345 B2-018"})
    resident = Resident.objects.get()
    assert response.status_code == 302 and resident.vehicles.get().parking_space == "B2-018"


def test_edit_keeps_numbers_when_blank_and_records_history(desk, estate_a, file_a):
    url = reverse("residents:edit", args=[file_a.pk]) + "?estate=HY01"
    page = _text(desk.get(url))
    assert PHONE not in page and "138****5678" in page
    unit = make_unit(estate_a, "3-2-1502")
    response = desk.post(
        url,
        {
            "name": "王伟",
            "kind": "owner",
            "id_kind": "national_id",
            "notes": "新备注",
            "units": "3-2-1502",
            "move_in_date": "2025-03-01",
        },
    )
    assert response.status_code == 302
    file_a.refresh_from_db()
    assert file_a.phone == PHONE and file_a.id_number == ID and file_a.notes == "新备注"
    assert Occupancy.objects.filter(resident=file_a, unit=unit).exists()
    detail = _text(desk.get(reverse("residents:detail", args=[file_a.pk]) + "?estate=HY01"))
    assert "新备注" in detail and "3-2-1502" in detail


def test_duplicates_page_and_merge(client, manager, estate_a, file_a):
    dup = make_resident(estate_a, name="王伟", phone=PHONE, units=[make_unit(estate_a, "1-1-1")])
    client.force_login(manager)
    page = _text(client.get(reverse("residents:duplicates") + "?estate=HY01"))
    assert page.count('data-testid="duplicate-group"') == 1 and PHONE not in page
    response = client.post(
        reverse("residents:merge"), {"estate": "HY01", "keep": file_a.pk, "duplicate": dup.pk}
    )
    assert response.status_code == 302
    assert Occupancy.objects.filter(resident=file_a).count() == 2


def test_import_page_dry_run_then_import(client, manager, estate_a):
    make_unit(estate_a, "1-1-101")
    client.force_login(manager)
    url = reverse("residents:import") + "?estate=HY01"
    bad = "姓名,手机,房号\n张三,13812345678,1-1-101\n李四,1381234567,1-1-101\n"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", bad.encode())})
    assert response.status_code == 302
    job_page = _text(client.get(response["Location"] + "?estate=HY01"))
    assert 'data-testid="bad-rows"' in job_page and "<td data-label" in job_page
    assert not Resident.objects.exists()

    good = "姓名,手机,房号\n张三,13812345678,1-1-101\n"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", good.encode())})
    job_url = response["Location"]
    confirm = job_url + "confirm/"
    assert client.post(confirm, {"estate": "HY01"}).status_code == 302
    partial = _text(client.get(job_url + "?estate=HY01", HTTP_HX_REQUEST="true"))
    assert 'data-testid="job-done"' in partial and "<html" not in partial
    assert Resident.objects.get().name == "张三"
    bad_file = client.post(url, {"file": SimpleUploadedFile("r.txt", b"x")})
    assert bad_file.status_code == 422


def test_incomplete_list(desk, estate_a, file_a):
    make_resident(estate_a, name="李娜", move_in_date=None)
    body = _text(desk.get(reverse("residents:incomplete") + "?estate=HY01"))
    assert "李娜" in body and "王伟" not in body  # 王伟's file is complete


@pytest.mark.parametrize(
    "name",
    [
        "list",
        "new",
        "export_csv",
        "export_xlsx",
        "duplicates",
        "incomplete",
        "import",
        "import_template",
        "access_log",
        "access_log_csv",
        "access_log_xlsx",
    ],
)
def test_every_estate_filter_of_another_estate_is_404(client, estate_a, estate_b, name):
    client.force_login(make_staff(estate_a, "admin"))
    assert client.get(reverse(f"residents:{name}") + "?estate=HY02").status_code == 404
    assert client.get(reverse(f"residents:{name}") + "?estate=NOPE").status_code == 404


def _rows(estate, n):
    for i in range(n):
        make_resident(estate, name=f"住户{i:02d}", units=[make_unit(estate)], pets=["猫"])


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("name", ["list", "incomplete", "duplicates", "access_log"])
def test_list_pages_run_a_fixed_number_of_queries(
    client, estate_a, django_assert_num_queries, rows, name
):
    manager = make_staff(estate_a, "manager")
    _rows(estate_a, rows)
    for r in Resident.objects.all():
        make_resident(estate_a, name=r.name, phone=r.phone)  # a duplicate each
        AccessLog.objects.create(
            user=manager,
            estate=estate_a,
            object_type="residents.resident",
            object_id=str(r.pk),
            field="phone",
        )
    client.force_login(manager)
    url = reverse(f"residents:{name}") + "?estate=HY01"
    client.get(url)  # warm the session
    # 8 for the page frame every staff page runs (session, user, memberships, the estate
    # switcher, the nav's role checks, notifications), 1 for ?estate=HY01, then the page's own:
    # list: count, rows, current units | incomplete: count, rows, current units |
    # duplicates: candidates, current units | access_log: count, rows (joined with users)
    expected = 9 + {"list": 3, "incomplete": 3, "duplicates": 2, "access_log": 2}[name]
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_file_shows_its_units_tickets_and_bills(client, manager, estate_a, file_a):
    from tests.fees.factories import make_bill
    from tests.repairs.factories import make_ticket

    unit = file_a.occupancies.get().unit
    ticket = make_ticket(estate_a, unit=unit)
    bill = make_bill(unit)
    client.force_login(manager)
    body = _text(client.get(reverse("residents:detail", args=[file_a.pk]) + "?estate=HY01"))
    assert ticket.number in body and bill.number in body and "3-2-1501" in body


def test_a_running_import_is_polled_with_its_progress(client, manager, estate_a):
    from residents.models import ImportJob

    job = ImportJob.objects.create(
        estate=estate_a, by=manager, status="checking", total=1000, processed=400
    )
    client.force_login(manager)
    body = _text(
        client.get(
            reverse("residents:import_job", args=[job.pk]) + "?estate=HY01", HTTP_HX_REQUEST="true"
        )
    )
    assert 'hx-trigger="every 1s"' in body and 'value="40"' in body and "400" in body
