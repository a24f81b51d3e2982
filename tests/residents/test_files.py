"""The file's services: nothing in clear at rest, bad input refused, history, merge, import."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from estate.errors import DomainError
from residents import selectors, services
from residents.models import ImportJob, Occupancy, Resident, ResidentChange
from residents.services.imports import read_rows
from tests.factories import make_staff, make_unit
from tests.residents.factories import ID_1, ID_2, make_resident


def _all_text_in_database() -> str:
    """Every column of every table, read through the DB cursor, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_raw_scan_of_every_table_finds_no_id_number_or_full_mobile(estate_a):
    manager = make_staff(estate_a, "manager")
    unit = make_unit(estate_a)
    r = make_resident(
        estate_a,
        units=[unit],
        by=manager,
        phone="13812345678",
        id_number=ID_1,
        emergency_phone="13987654321",
    )
    services.resident_update(
        resident=r,
        data=services.FileData(**{**services.file_data_of(r).__dict__, "phone": "13711112222"}),
        by=manager,
    )
    services.resident_reveal(resident=r, field="phone", user=manager)
    rows = read_rows(_csv("姓名,手机,证件号码\n李娜,13655556666,110101199003071233\n"))
    job = services.import_job_start(estate=estate_a, by=manager, filename="a.csv", rows=rows)
    services.import_job_check(job=job)
    dump = _all_text_in_database()
    for secret in (
        "13812345678",
        "13711112222",
        "13987654321",
        ID_1,
        "110101199003071233",
        "13655556666",
    ):
        assert secret not in dump
    assert "138****5678" in dump  # the masked form is there (history), the clear one is not


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "1381234567"}, "phone"),  # 10 digits
        ({"id_number": "110101199003071234"}, "id_number"),  # wrong check digit
        ({"id_kind": "passport", "id_number": "E1"}, "id_number"),
        ({"emergency_phone": "12345"}, "emergency_phone"),
        ({"vehicles": [("ABC", "")]}, "vehicles"),
        ({"move_out_date": dt.date(2020, 1, 1)}, "move_out_date"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(estate_a, fields, field):
    with pytest.raises(DomainError) as err:
        make_resident(estate_a, **fields)
    assert err.value.field == field
    assert not Resident.objects.exists() and not ResidentChange.objects.exists()


def test_unit_of_another_estate_is_refused_and_nothing_saved(estate_a, estate_b):
    with pytest.raises(DomainError) as err:
        make_resident(estate_a, units=[make_unit(estate_b)])
    assert err.value.field == "units"
    assert not Resident.objects.exists()


def test_other_documents_vehicles_pets_and_history(estate_a):
    manager = make_staff(estate_a, "manager")
    r = make_resident(
        estate_a,
        by=manager,
        id_kind="passport",
        id_number="e12345678",
        vehicles=[("沪a 12345", "B2-018")],
        pets=["狗 · 豆豆"],
    )
    assert r.id_number == "E12345678" and r.vehicles.get().plate == "沪A12345"
    data = services.file_data_of(r)
    data.phone, data.notes = "13800001111", "换了手机"
    _r, changed = services.resident_update(resident=r, data=data, by=manager)
    assert changed == 2
    phone_change = r.changes.get(kind="updated", field="phone")
    assert phone_change.by == manager and phone_change.new_value == "138****1111"
    assert "*" in phone_change.old_value
    # Saving the same data again records nothing.
    assert services.resident_update(resident=r, data=data, by=manager)[1] == 0


def test_reveal_is_refused_to_front_desk_and_logged_for_manager(estate_a):
    from estate.models import AccessLog

    r = make_resident(estate_a, phone="13812345678")
    with pytest.raises(DomainError) as err:
        services.resident_reveal(resident=r, field="phone", user=make_staff(estate_a, "front_desk"))
    assert err.value.status == 403 and not AccessLog.objects.exists()
    manager = make_staff(estate_a, "manager")
    assert services.resident_reveal(resident=r, field="phone", user=manager) == "13812345678"
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.field) == (manager, str(r.pk), "phone")


def test_completeness_indicator_and_incomplete_list(estate_a):
    complete = make_resident(estate_a, units=[make_unit(estate_a)], id_number=ID_1)
    bare = make_resident(estate_a, name="李娜", move_in_date=None, emergency_contact="")
    assert selectors.missing_of(complete, has_unit=True) == []
    assert selectors.missing_of(bare, has_unit=False) == [
        "id_number",
        "move_in_date",
        "emergency_contact",
        "unit",
    ]
    assert list(selectors.incomplete_list(estate=estate_a)) == [bare]


def test_merge_keeps_every_unit_ticket_and_bill_on_the_kept_file(estate_a):
    from tests.fees.factories import make_bill
    from tests.repairs.factories import make_ticket

    manager = make_staff(estate_a, "manager")
    u1, u2, u3 = (make_unit(estate_a) for _ in range(3))
    keep = make_resident(estate_a, units=[u1], phone="13812345678", id_number=ID_1)
    dup = make_resident(
        estate_a,
        units=[u2, u3],
        phone="13900000000",
        id_number=ID_1,
        vehicles=[("沪A12345", "")],
        pets=["猫"],
    )
    tickets = [make_ticket(estate_a, unit=u, resident=dup) for u in (u2, u3)]
    tickets.append(make_ticket(estate_a, unit=u1, resident=keep))
    bills = [make_bill(u) for u in (u1, u2, u3)]
    groups = selectors.duplicate_groups(estate=estate_a)
    assert [[r.pk for r in g] for g in groups] == [[keep.pk, dup.pk]]

    services.resident_merge(keep=keep, duplicate=dup, by=manager)

    kept_units = set(Occupancy.objects.filter(resident=keep).values_list("unit_id", flat=True))
    assert kept_units == {u1.pk, u2.pk, u3.pk}
    assert {t.pk for t in keep.tickets.all()} == {t.pk for t in tickets}
    from fees.models import Bill

    assert set(Bill.objects.filter(unit_id__in=kept_units).values_list("pk", flat=True)) == {
        b.pk for b in bills
    }
    assert keep.vehicles.count() == 1 and keep.pets.count() == 1
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert selectors.duplicate_groups(estate=estate_a) == []
    log = keep.changes.get(kind="merged")
    assert log.by == manager and "tickets=2" in log.new_value and "units=2" in log.new_value


def test_same_name_and_phone_is_a_duplicate(estate_a):
    a = make_resident(estate_a, name="张三", phone="13812345678")
    b = make_resident(estate_a, name="张三", phone="13812345678")
    make_resident(estate_a, name="李四", phone="13812345678")
    assert [[r.pk for r in g] for g in selectors.duplicate_groups(estate=estate_a)] == [
        [a.pk, b.pk]
    ]


# Import ----------------------------------------------------------------------------------------


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("residents.csv", text.encode("utf-8-sig"), "text/csv")


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("residents.xlsx", out.getvalue())


def _run(estate, by, upload) -> ImportJob:
    job = services.import_job_start(
        estate=estate, by=by, filename=upload.name, rows=read_rows(upload)
    )
    job = services.import_job_check(job=job)
    if job.errors:
        return job
    services.import_job_confirm(job=job)
    return services.import_job_apply(job=ImportJob.objects.get(pk=job.pk))


HEADER = [
    "姓名",
    "手机",
    "类型",
    "证件类型",
    "证件号码",
    "房号",
    "主要联系人",
    "入住日期",
    "车牌",
    "宠物",
]


def test_import_with_one_bad_row_imports_nothing_and_reports_the_row(estate_a, estate_b):
    manager = make_staff(estate_a, "manager")
    make_unit(estate_a, number="1-1-101")
    make_unit(estate_b, number="9-9-909")
    upload = _xlsx(
        [
            HEADER,
            ["王伟", "13812345678", "业主", "身份证", ID_1, "1-1-101", "是", "2026-03-01", "", ""],
            ["李娜", "1381234567", "业主", "", "", "1-1-101", "", "", "", ""],
            ["赵六", "13700005555", "租户", "", "", "9-9-909", "", "", "", ""],
            ["钱七", "13700006666", "业主", "身份证", ID_2[:-1] + "4", "", "", "", "", ""],
        ]
    )
    job = _run(estate_a, manager, upload)
    assert job.status == "checked"
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (3, "phone"),
        (4, "units"),
        (5, "id_number"),
    ]
    assert "9-9-909" in job.errors[1]["message"]
    assert not Resident.objects.exists()
    with pytest.raises(DomainError):
        services.import_job_confirm(job=job)


def test_import_is_idempotent_and_groups_a_persons_units(estate_a):
    manager = make_staff(estate_a, "manager")
    for n in ("1-1-101", "1-1-102", "2-1-201"):
        make_unit(estate_a, number=n)
    rows = [
        HEADER,
        [
            "王伟",
            "13812345678",
            "业主",
            "身份证",
            ID_1,
            "1-1-101",
            "是",
            "2026-03-01",
            "沪A12345",
            "猫",
        ],
        ["王伟", "138 1234 5678", "业主", "身份证", ID_1, "1-1-102", "是", "", "", ""],
        ["李娜", "13900001111", "租户", "护照", "E12345678", "2-1-201", "", "", "", ""],
    ]
    job = _run(estate_a, manager, _xlsx(rows))
    assert (job.status, job.created, job.updated, job.unchanged) == ("done", 2, 0, 0)
    assert job.rows_enc == "" and job.processed == 3
    wang = Resident.objects.get(name="王伟")
    assert sorted(wang.occupancies.values_list("unit__number", flat=True)) == ["1-1-101", "1-1-102"]
    snapshot = (Resident.objects.count(), Occupancy.objects.count(), ResidentChange.objects.count())

    again = _run(estate_a, manager, _xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot == (
        Resident.objects.count(),
        Occupancy.objects.count(),
        ResidentChange.objects.count(),
    )
    # A changed cell updates that file only, with its history; a blank cell erases nothing.
    rows[3][7] = "2026-05-01"
    third = _run(estate_a, manager, _xlsx(rows))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert Resident.objects.get(name="李娜").move_in_date == dt.date(2026, 5, 1)
    assert Resident.objects.get(name="王伟").vehicles.count() == 1


def test_import_csv_and_unreadable_files(estate_a):
    manager = make_staff(estate_a, "manager")
    job = _run(estate_a, manager, _csv("姓名,手机\n张三,13812345678\n"))
    assert job.created == 1
    with pytest.raises(DomainError) as err:
        read_rows(SimpleUploadedFile("x.xlsx", b"not a spreadsheet"))
    assert err.value.field == "file"
    with pytest.raises(DomainError):
        read_rows(_csv("名字,电话\n张三,13812345678\n"))


def test_demo_data_has_complete_and_incomplete_files_a_duplicate_pair_vehicles_and_pets(db):
    from django.core.management import call_command

    from residents.models import Pet, Vehicle

    call_command("seed_demo", "--estates", "1", "--months", "1", "--seed", "3", verbosity=0)
    estate = Resident.objects.first().estate
    total = selectors.live_residents(estate=estate).count()
    incomplete = selectors.incomplete_list(estate=estate).count()
    assert 0 < incomplete < total
    assert len(selectors.duplicate_groups(estate=estate)) >= 1
    assert Vehicle.objects.exists() and Pet.objects.exists()


def test_merge_of_two_files_holding_the_same_unit_keeps_one_primary_tie(estate_a):
    manager = make_staff(estate_a, "manager")
    unit = make_unit(estate_a)
    keep = make_resident(estate_a, name="张三", phone="13812345678", units=[unit], primary=False)
    dup = make_resident(
        estate_a, name="张三", phone="13812345678", units=[unit], primary=True, id_number=ID_1
    )
    services.resident_merge(keep=keep, duplicate=dup, by=manager)
    tie = Occupancy.objects.get(unit=unit)
    assert tie.resident == keep and tie.is_primary
    keep.refresh_from_db()
    assert keep.id_number == ID_1  # a blank of the kept file filled from the duplicate
    with pytest.raises(DomainError):
        services.resident_merge(keep=keep, duplicate=dup, by=manager)


def test_a_failing_import_task_marks_the_job_failed(estate_a, monkeypatch):
    from residents import tasks

    job = services.import_job_start(
        estate=estate_a, by=make_staff(estate_a, "manager"), filename="a.csv", rows=[]
    )

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "import_job_check", boom)
    with pytest.raises(RuntimeError):
        tasks.import_check.call_local(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"


def test_full_width_digits_from_a_chinese_input_method_are_accepted():
    from estate.validators import normalize_id_number, normalize_mobile

    assert normalize_mobile("１３８ １２３４ ５６７８") == "13812345678"
    assert normalize_mobile("+86 138-1234-5678") == "13812345678"
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == ID_1
    with pytest.raises(DomainError) as err:
        normalize_mobile("١٣٨١٢٣٤٥٦٧٨")  # Arabic-Indic digits are not a mainland number
    assert err.value.field == "phone"
