"""Reads written once per process (estate/fixedsql.py) answer what the ORM answers: the same
rows, every field in the same Python form (aware datetimes, decimals, booleans) on SQLite and
PostgreSQL, and objects that save and relate like any loaded by a queryset."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from estate.fixedsql import FixedInsert, FixedSelect, db_int
from estate.models import Estate, Unit
from estate.public import public_estate
from estate.scoping import estate_by_code, is_company_admin, roles_of
from repairs.models import Category
from tests.factories import make_company_admin, make_staff, make_unit
from tests.repairs.factories import make_category

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_rows_come_back_as_the_orm_loads_them(estate_a, estate_b):
    make_unit(estate_a, number="3-2-1501", area="88.25")
    make_unit(estate_a, number="3-2-1502")
    make_unit(estate_b, number="3-2-1501")
    make_category(estate_a, code="pipes")
    off = make_category(estate_a, code="lights")
    Category.objects.filter(pk=off.pk).update(active=False)

    units = FixedSelect(Unit, "{estate_id} = %s", order_by=("-number",))
    found = units.all(estate_a.pk)
    expected = list(Unit.objects.filter(estate=estate_a).order_by("-number"))
    assert [_fields(u) for u in found] == [_fields(u) for u in expected]
    assert found[1].floor_area == Decimal("88.25") and found[1].number == "3-2-1501"
    assert found[0].building.estate == estate_a  # relations load as usual
    assert not found[0]._state.adding

    categories = FixedSelect(Category, "{estate_id} = %s AND {active}", order_by=("code",))
    assert [c.code for c in categories.all(estate_a.pk)] == ["pipes"]
    inactive = FixedSelect(Category, "{estate_id} = %s AND NOT {active}", limit=1)
    assert inactive.first(estate_a.pk).active is False
    assert inactive.first(estate_b.pk) is None

    estate = FixedSelect(Estate, "{code} = %s", limit=1).first("HY01")
    assert _fields(estate) == _fields(Estate.objects.get(code="HY01"))
    assert isinstance(estate.created_at, dt.datetime) and estate.created_at.tzinfo is not None


def test_a_loaded_row_saves_as_an_update(estate_a):
    unit = make_unit(estate_a, number="1-1-0101")
    found = FixedSelect(Unit, "{id} = %s", limit=1).first(unit.pk)
    found.number = "1-1-0102"
    found.save()
    assert Unit.objects.get().number == "1-1-0102" and Unit.objects.count() == 1


def test_an_id_out_of_any_databases_range_finds_nothing():
    assert db_int("12") == 12 and db_int(7) == 7
    assert db_int("x") is None and db_int(None) is None
    assert db_int(10**30) is None and db_int(str(-(10**19))) is None


def test_the_estate_of_a_code_is_one_query_and_scoped(estate_a, estate_b):
    clerk = make_staff(estate_a, "front_desk")
    roles_of(clerk), is_company_admin(clerk)  # read once a request (the API's token carries them)
    with CaptureQueriesContext(connection) as queries:
        assert estate_by_code(clerk, " hy01 ") == estate_a
    assert len(queries.captured_queries) == 1  # the estate by its code, nothing compiled
    with pytest.raises(Http404):
        estate_by_code(clerk, "HY02")  # another estate: the same answer as an unknown code
    with pytest.raises(Http404):
        estate_by_code(clerk, "NOPE")
    assert estate_by_code(make_company_admin(), "HY02") == estate_b
    assert public_estate("hy02") == estate_b
    with pytest.raises(Http404):
        public_estate("NOPE")


def test_a_fixed_insert_writes_what_save_writes(estate_a):
    """Every column as ``save()`` would write it (auto_now fields set on the object too), the
    primary key set, and the object then saves as an update."""
    from repairs.models import Ticket, TicketEvent
    from tests.repairs.factories import make_ticket

    ticket = make_ticket(estate_a)
    fast = FixedInsert(TicketEvent).save(
        TicketEvent(ticket=ticket, estate_id=estate_a.pk, kind="accepted", at=ticket.reported_at)
    )
    slow = TicketEvent(ticket=ticket, estate_id=estate_a.pk, kind="accepted", at=ticket.reported_at)
    slow.save()
    assert fast.pk and fast.pk != slow.pk and not fast._state.adding
    loaded = {e.pk: _fields(e) for e in TicketEvent.objects.filter(pk__in=[fast.pk, slow.pk])}
    assert loaded[fast.pk] | {"id": 0} == loaded[slow.pk] | {"id": 0}
    assert loaded[fast.pk] == _fields(fast)

    copy = Ticket.objects.get(pk=ticket.pk)
    copy.pk, copy.number, copy.tracking_code = None, "BX-COPY", "copy-tracking-code"
    copy.updated_at = None
    FixedInsert(Ticket).save(copy)
    assert copy.updated_at is not None  # auto_now: set on the object, as save() does
    again = Ticket.objects.get(pk=copy.pk)
    assert _fields(again) == _fields(copy)
    assert again.reporter_phone == ticket.reporter_phone  # the encrypted column round-trips
    copy.description = "changed"
    copy.save()
    assert Ticket.objects.get(pk=copy.pk).description == "changed"
    assert Ticket.objects.count() == 2


def test_a_fixed_insert_leaves_a_model_with_save_receivers_to_save(estate_a):
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.number, created))

    post_save.connect(receiver, sender=Unit, dispatch_uid="test-fixedsql")
    try:
        building = make_unit(estate_a, number="1-1-0001").building
        seen.clear()
        FixedInsert(Unit).save(
            Unit(estate=estate_a, building=building, number="1-1-0002", floor_area=1)
        )
    finally:
        post_save.disconnect(sender=Unit, dispatch_uid="test-fixedsql")
    assert seen == [("1-1-0002", True)]


def test_the_report_forms_categories_are_the_selectors(estate_a, estate_b):
    from repairs import selectors
    from repairs.configuration import defaults_install
    from repairs.public.selectors import report_categories

    defaults_install(estate=estate_a)
    defaults_install(estate=estate_b)
    make_category(estate_a, "rectification", code="patrol-fix")
    first = Category.objects.filter(estate=estate_a, kind="repair").order_by("sort").first()
    Category.objects.filter(pk=first.pk).update(active=False)
    expected = list(selectors.categories(estate=estate_a, for_residents=True))
    found = report_categories(estate=estate_a)
    assert [_fields(c) for c in found] == [_fields(c) for c in expected]
    assert len(found) > 3 and first not in found
    assert {c.kind for c in found} == {"repair", "complaint", "suggestion"}
