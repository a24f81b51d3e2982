import pytest

from estate import privacy
from estate.errors import DomainError
from residents.models import Resident
from residents.selectors import resident_search
from residents.services import resident_create
from tests.factories import make_unit


def test_resident_phone_and_id_are_encrypted_masked_and_searchable(estate_a):
    unit = make_unit(estate_a, number="3-2-1501")
    r = resident_create(
        estate=estate_a,
        name="王伟",
        phone="138 1234 5678",
        id_number="11010519491231002x",
        units=[unit],
        primary=True,
    )
    stored = Resident.objects.values().get(pk=r.pk)
    assert "13812345678" not in str(stored) and "11010519491231002X" not in str(stored)
    assert r.phone_masked == "138****5678"
    assert r.id_number_masked == "110***********002X"
    assert Resident.objects.get(pk=r.pk).phone == "13812345678"
    assert list(resident_search(estate=estate_a, q="13812345678")) == [r]
    assert list(resident_search(estate=estate_a, q="5678")) == [r]
    assert list(resident_search(estate=estate_a, q="王")) == [r]


@pytest.mark.parametrize(
    ("phone", "id_number", "field"),
    [
        ("1381234567", "", "phone"),
        ("23812345678", "", "phone"),
        ("021-12345678", "", "phone"),
        ("13812345678", "110105194912310021", "id_number"),
    ],
)
def test_bad_phone_or_id_is_a_field_error_and_saves_nothing(estate_a, phone, id_number, field):
    with pytest.raises(DomainError) as err:
        resident_create(estate=estate_a, name="李娜", phone=phone, id_number=id_number)
    assert err.value.field == field
    assert not Resident.objects.exists()


def test_one_primary_contact_per_unit(estate_a):
    unit = make_unit(estate_a)
    resident_create(estate=estate_a, name="甲", phone="13900000001", units=[unit], primary=True)
    with pytest.raises(DomainError) as err:
        resident_create(estate=estate_a, name="乙", phone="13900000002", units=[unit], primary=True)
    assert err.value.field == "units"
    assert Resident.objects.count() == 1


def test_masking_helpers():
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_id_number("110101199003071234") == "110***********1234"


def test_one_time_code_is_good_once_and_five_wrong_tries_void_it(estate_a, caplog):
    from estate.otp import otp_issue, otp_verify

    with caplog.at_level("INFO", logger="estatedesk.sms"):
        code = otp_issue(estate=estate_a, phone="13812345678")
    assert code in caplog.text and "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert otp_verify(estate=estate_a, phone="138 1234 5678", code=code) == "13812345678"
    with pytest.raises(DomainError):  # used once
        otp_verify(estate=estate_a, phone="13812345678", code=code)

    code = otp_issue(estate=estate_a, phone="13812345678")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(DomainError) as err:
            otp_verify(estate=estate_a, phone="13812345678", code=wrong)
        assert err.value.field == "code"
    with pytest.raises(DomainError):  # the right code no longer works either
        otp_verify(estate=estate_a, phone="13812345678", code=code)
