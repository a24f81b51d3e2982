import pytest

from tests.factories import make_staff, make_unit


@pytest.fixture
def finance_a(estate_a):
    return make_staff(estate_a, "finance")


@pytest.fixture
def unit_a(estate_a):
    return make_unit(estate_a, "3-2-1501", area="100.00")
