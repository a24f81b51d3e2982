"""The resident file's change list and the access log name fields in the page's language,
never by their code (``id_number``)."""

from django.utils import translation

from estate.models import AccessLog
from residents.models import Resident, ResidentChange


def test_fields_are_named_in_the_pages_language(db):
    change = ResidentChange(field="id_number")
    log = AccessLog(object_type="residents.resident", object_id="1", field="phone")
    with translation.override("zh-hans"):
        assert change.field_label == str(Resident._meta.get_field("id_number_masked").verbose_name)
        assert change.field_label != "id_number" and log.field_label != "phone"
    with translation.override("en"):
        assert change.field_label == "ID number" and log.field_label == "phone"
    # A record type that no longer exists keeps its code rather than failing.
    assert AccessLog(object_type="gone.model", field="x").field_label == "x"
