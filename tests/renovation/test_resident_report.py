"""A resident's complaint about a renovation, through the public form, becomes a violation of
the renovating unit's application (repairs calls renovation through repairs.hooks)."""

from renovation.models import Violation
from repairs.configuration import defaults_install
from repairs.models import Category, Ticket
from tests.factories import make_unit
from tests.renovation.factories import make_application, make_renovating


def _form(estate, unit_number: str) -> dict:
    category = Category.objects.get(estate=estate, code="renovation")
    assert category.kind == "complaint" and category.name == "装修扰民/违规装修"
    return {
        "kind": "complaint",
        "category": str(category.pk),
        "unit_number": unit_number,
        "common_area": "",
        "name": "王女士",
        "phone": "13812345678",
        "description": "楼上晚上十点还在电钻",
        "preferred_visit_time": "",
        "website": "",
    }


def test_complaint_on_a_renovating_unit_becomes_a_resident_report_violation(client, estate_a):
    defaults_install(estate=estate_a)
    app = make_renovating(estate_a)
    response = client.post(f"/r/{estate_a.code}/", _form(estate_a, app.unit.number))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    violation = Violation.objects.get()
    assert violation.source == Violation.Source.RESIDENT_REPORT
    assert violation.application_id == app.pk and violation.ticket_id == ticket.pk
    assert violation.found_by_id is None and violation.found_at == ticket.reported_at
    assert violation.description == "楼上晚上十点还在电钻"


def test_complaint_on_a_unit_not_renovating_logs_the_ticket_only(client, estate_a):
    defaults_install(estate=estate_a)
    quiet = make_unit(estate_a)
    submitted = make_application(estate_a)  # not yet approved, let alone started
    for unit in (quiet, submitted.unit):
        response = client.post(f"/r/{estate_a.code}/", _form(estate_a, unit.number))
        assert response.status_code == 302
    assert Ticket.objects.count() == 2
    assert not Violation.objects.exists()


def test_other_complaint_categories_do_not_make_violations(client, estate_a):
    defaults_install(estate=estate_a)
    app = make_renovating(estate_a)
    data = _form(estate_a, app.unit.number)
    data["category"] = str(Category.objects.get(estate=estate_a, code="noise").pk)
    assert client.post(f"/r/{estate_a.code}/", data).status_code == 302
    assert Ticket.objects.count() == 1 and not Violation.objects.exists()
