"""Field encryption: several keys, loud failures, re-encryption after a rotation, and a look-up
index that does not change when the key does."""

import logging

import pytest
from django.core.management import call_command
from django.test import override_settings

from estate import privacy
from residents.models import Resident
from residents.selectors import resident_search
from residents.services import resident_create
from tests.factories import make_unit
from tests.repairs.factories import make_ticket

OLD, NEW = "old-field-key-" + "a" * 30, "new-field-key-" + "b" * 30
INDEX = "stable-blind-index-key-" + "c" * 20
PEOPLE = [
    ("张三", "13812345678", "11010519491231002X"),
    ("李四", "13900001111", "110101199003071233"),
    ("王五", "13700002222", ""),
]


def _keys(*keys):
    return override_settings(FIELD_ENCRYPTION_KEYS=list(keys), BLIND_INDEX_KEY=INDEX)


def test_decrypt_with_wrong_key_raises_and_logs(estate_a, caplog):
    with _keys(OLD):
        token = privacy.encrypt("13812345678")
    with (
        _keys(NEW),
        caplog.at_level(logging.ERROR, logger="estate.privacy"),
        pytest.raises(privacy.DecryptionError),
    ):
        privacy.decrypt(token)
    assert "cannot be decrypted" in caplog.text
    with pytest.raises(privacy.DecryptionError):
        privacy.decrypt("not-a-token")


def test_several_keys_read_newest_writes():
    with _keys(OLD):
        old_token = privacy.encrypt("13812345678")
    with _keys(NEW, OLD):
        assert privacy.decrypt(old_token) == "13812345678"
        assert not privacy.is_current(old_token)
        new_token = privacy.encrypt("13812345678")
        assert privacy.is_current(new_token)
    with _keys(NEW):
        assert privacy.decrypt(new_token) == "13812345678"


def test_blind_index_defaults_to_oldest_key_so_adding_a_key_keeps_it():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD], BLIND_INDEX_KEY=""):
        before = privacy.blind_index("13812345678")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD], BLIND_INDEX_KEY=""):
        assert privacy.blind_index("13812345678") == before
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW], BLIND_INDEX_KEY=OLD):
        assert privacy.blind_index("13812345678") == before


def test_encrypted_fields_are_discovered():
    found = {m._meta.label: names for m, names in privacy.encrypted_fields()}
    assert found["residents.Resident"] == ["phone_enc", "id_number_enc", "emergency_phone_enc"]
    assert found["repairs.Ticket"] == ["reporter_phone_enc"]
    # Every module that keeps a phone keeps it encrypted, and the command finds it.
    assert found["community.SignUp"] == ["phone_enc"]
    assert found["facilities.Booking"] == ["phone_enc"]
    assert found["patrols.Round"] == ["inspector_phone_enc"]


def test_rotate_reencrypt_and_everything_reads_back(estate_a, capsys):
    unit = make_unit(estate_a)
    with _keys(OLD):
        for name, phone, id_number in PEOPLE:
            resident_create(
                estate=estate_a, name=name, phone=phone, id_number=id_number, units=[unit]
            )
        ticket = make_ticket(estate_a, unit=unit, reporter_phone="13600003333")

    with _keys(NEW, OLD):
        call_command("reencrypt_fields", "--batch-size", "2")
        out = capsys.readouterr().out
        assert "residents.Resident batch 1: up to id" in out
        assert "residents.Resident batch 2:" in out
        assert (
            "residents.Resident (phone_enc, id_number_enc, emergency_phone_enc): "
            "3 rows, 3 re-encrypted" in out
        )
        assert "repairs.Ticket (reporter_phone_enc): 1 rows, 1 re-encrypted" in out
        # A second run (or a resumed one) finds nothing left to do.
        call_command("reencrypt_fields", "--batch-size", "2")
        assert "Done: 4 rows read, 0 re-encrypted." in capsys.readouterr().out

    with _keys(NEW):  # the old key is gone: every value still reads back
        for name, phone, id_number in PEOPLE:
            resident = Resident.objects.get(name=name)
            assert resident.phone == phone
            assert resident.id_number == id_number
            assert list(resident_search(estate=estate_a, q=phone)) == [resident]
        ticket.refresh_from_db()
        assert ticket.reporter_phone == "13600003333"


def test_reencrypt_stops_loudly_on_a_value_no_key_reads(estate_a):
    from django.core.management.base import CommandError

    with _keys(OLD):
        resident_create(estate=estate_a, name="张三", phone="13812345678")
    with _keys(NEW), pytest.raises(CommandError, match="Add the key that wrote it"):
        call_command("reencrypt_fields")
