"""The contractor's workers of an application and their passes (装修工人出入证)."""

import pytest
from django.urls import reverse

from renovation import services
from renovation.models import Worker
from tests.factories import make_staff
from tests.renovation.factories import make_application, make_renovating
from tests.renovation.test_pdf import _fonts_embedded, _fonts_from_pypdf, _text


def _url(name, *args):
    return reverse(f"renovation:{name}", args=args)


@pytest.fixture
def desk(estate_a):
    return make_staff(estate_a, "front_desk")


def test_front_desk_adds_a_worker_keeping_only_the_id_last_4(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    client.force_login(desk)
    response = client.post(
        _url("worker_add", app.pk),
        {"name": "张师傅", "id_number": "11010519491231002x"},
    )
    assert response.status_code == 302
    worker = Worker.objects.get()
    assert worker.application_id == app.pk and worker.name == "张师傅"
    assert worker.id_last4 == "002X"
    page = client.get(_url("application", app.pk)).content.decode()
    assert "张师傅" in page and "002X" in page and "110105" not in page


def test_adding_a_worker_before_approval_is_refused_with_409(client, estate_a, desk):
    app = make_application(estate_a, by=desk)  # submitted, not approved
    client.force_login(desk)
    response = client.post(_url("worker_add", app.pk), {"name": "张师傅", "id_number": "1234"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="张师傅"' in html  # the form comes back filled in
    assert not Worker.objects.exists()


def test_a_bad_id_is_an_error_by_its_field(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    client.force_login(desk)
    response = client.post(_url("worker_add", app.pk), {"name": "张师傅", "id_number": "12a"})
    assert response.status_code == 422 and 'id="id_id_number_error"' in response.content.decode()
    assert not Worker.objects.exists()


def test_technician_may_not_add_workers(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    client.force_login(make_staff(estate_a, "technician"))
    response = client.post(_url("worker_add", app.pk), {"name": "张师傅", "id_number": "1234"})
    assert response.status_code == 403 and not Worker.objects.exists()


def test_remove_a_worker(client, estate_a, desk):
    app = make_renovating(estate_a, by=desk)
    worker = services.worker_add(application=app, name="李四", id_number="5678", by=desk)
    client.force_login(desk)
    response = client.post(_url("worker_remove", app.pk, worker.pk))
    assert response.status_code == 302 and not Worker.objects.exists()


def test_pass_pdf_has_the_workers_name_chinese_labels_and_embedded_fonts(
    client, estate_a, desk, tmp_path
):
    app = make_renovating(estate_a, by=desk)
    worker = services.worker_add(application=app, name="王建国", id_number="4321", by=desk)
    client.force_login(desk)
    response = client.get(_url("worker_pass_pdf", app.pk, worker.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = _text(content)
    for expected in ("装修工人出入证", "王建国", "施工单位", "有效期", "出入时间", app.number):
        assert expected in text
    assert f"{app.start_date:%Y年%m月%d日}" in text and "4321" in text
    assert "08:00" in text and "18:00" in text
    assert _fonts_from_pypdf(content) and all(_fonts_from_pypdf(content))
    fonts = _fonts_embedded(content, tmp_path)
    assert fonts and all(emb == "yes" for _name, emb in fonts), fonts
