"""The fees rows of the role matrix (fees/permissions.py)."""

import pytest

from estate.scoping import can
from fees import permissions as perm
from tests.factories import make_company_admin, make_estate, make_staff

pytestmark = pytest.mark.django_db

ROLES = ["front_desk", "technician", "manager", "finance", "admin"]
MATRIX = {
    perm.VIEW: {"front_desk", "manager", "finance", "admin"},
    perm.PAYMENT_RECORD: {"front_desk", "finance", "admin"},
    perm.PAYMENT_REVERSE: {"finance", "admin"},
    perm.BILL_VOID: {"finance", "admin"},
    perm.FEE_ITEM_MANAGE: {"finance", "admin"},
    perm.METER_READING_RECORD: {"front_desk", "technician", "finance", "admin"},
    perm.REMINDER_RECORD: {"front_desk", "manager", "finance", "admin"},
    perm.DEPOSIT_REFUND: {"finance", "admin"},
    perm.EXPORT: {"manager", "finance", "admin"},
}


def test_role_matrix(estate_a):
    staff = {role: make_staff(estate_a, role) for role in ROLES}
    other = make_estate(code="ZZ05")
    boss = make_company_admin()
    for action, allowed in MATRIX.items():
        for role, user in staff.items():
            assert can(user, estate_a, action) == (role in allowed), (action, role)
            assert not can(user, other, action), (action, role, "other estate")
        assert can(boss, other, action)
