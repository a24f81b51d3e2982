"""Builders for patrol tests."""

from repairs.patrols import services
from tests.factories import make_staff
from tests.repairs.factories import at, make_category


def make_checklist(estate, *, manager=None, items=("楼道地面清洁", "垃圾桶已清运"), **kw):
    manager = manager or make_staff(estate, "manager")
    category = kw.pop("category", None) or make_category(
        estate, "rectification", resolve=kw.pop("resolve", 24 * 60), name="保洁整改"
    )
    return services.checklist_create(
        estate=estate,
        by=manager,
        name=kw.pop("name", "保洁巡查"),
        area=kw.pop("area", "cleaning"),
        category=category,
        items=list(items),
    )


def make_round(estate, *, checklist=None, inspector=None, manager=None, when="2026-10-05 09:00"):
    manager = manager or make_staff(estate, "manager")
    checklist = checklist or make_checklist(estate, manager=manager)
    inspector = inspector or make_staff(estate, "technician")
    return services.round_plan(
        estate=estate,
        by=manager,
        checklist=checklist,
        inspector=inspector,
        inspector_phone="13600001111",
        planned_for=at(when),
        now=at(when),
    )
