""" "My requests" keeps no full phone number in the session (issue 15): sessions can be read from
a database dump without any key, so while the code is pending and after it is verified only
the blind index and the masked number are stored."""

import pytest
from django.contrib.sessions.models import Session

from estate import otp
from estate.privacy import blind_index
from repairs.models import Ticket
from tests.repairs.factories import make_ticket

PHONE = "13812345678"


def _decoded_sessions() -> list[str]:
    """Every stored session, decoded as a reader of the database would (no key needed)."""
    return [repr(s.get_decoded()) for s in Session.objects.all()]


@pytest.mark.django_db
def test_no_full_phone_number_in_any_session_during_and_after_the_login(
    client, estate_a, monkeypatch
):
    ticket = make_ticket(estate_a, reporter_phone=PHONE)
    sent = {}
    real_issue = otp.otp_issue
    monkeypatch.setattr(otp, "otp_issue", lambda **kw: sent.setdefault("code", real_issue(**kw)))

    client.post("/r/HY01/my/", {"action": "send", "phone": "138 1234 5678"})
    pending = _decoded_sessions()
    assert pending and any("138****5678" in s for s in pending)
    assert not any(PHONE in s for s in pending)

    client.post("/r/HY01/my/", {"action": "verify", "code": sent["code"]})
    page = client.get("/r/HY01/my/").content.decode()
    assert ticket.number in page  # logged in: the list shows the phone's ticket

    stored = _decoded_sessions()
    assert any(blind_index(PHONE) in s for s in stored)
    assert not any(PHONE in s for s in stored)
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_code_still_refuses_with_only_the_index_kept(client, estate_a):
    make_ticket(estate_a, reporter_phone=PHONE)
    client.post("/r/HY01/my/", {"action": "send", "phone": PHONE})
    wrong = client.post("/r/HY01/my/", {"action": "verify", "code": "000000"})
    assert wrong.status_code == 400 and "BX-" not in wrong.content.decode()
