"""Every write of resident files."""

import hmac
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from estate import privacy
from estate.errors import DomainError
from estate.models import Estate, Unit
from estate.validators import clean_text, normalize_id_number, normalize_mobile
from residents import sms
from residents.models import Occupancy, Resident


@transaction.atomic
def resident_create(
    *,
    estate: Estate,
    name: str,
    phone: str,
    kind: str = Resident.Kind.OWNER,
    id_number: str = "",
    units: list[Unit] | None = None,
    primary: bool = False,
    move_in_date=None,
    emergency_contact: str = "",
    notes: str = "",
) -> Resident:
    """A resident file, validated (mainland mobile, GB 11643 ID) and tied to its units."""
    if kind not in Resident.Kind.values:
        raise DomainError("invalid", _("Unknown resident kind."), field="kind")
    resident = Resident(
        estate=estate,
        name=clean_text(name, field="name", max_length=50, required=True),
        kind=kind,
        move_in_date=move_in_date,
        emergency_contact=clean_text(emergency_contact, field="emergency_contact", max_length=100),
        notes=clean_text(notes, field="notes", max_length=2000),
    )
    resident.set_phone(normalize_mobile(phone))
    resident.set_id_number(normalize_id_number(id_number))
    resident.save()
    for unit in units or []:
        if unit.estate_id != estate.pk:
            raise DomainError("invalid", _("This unit belongs to another estate."), field="units")
        try:
            with transaction.atomic():
                Occupancy.objects.create(
                    estate=estate, unit=unit, resident=resident, is_primary=primary
                )
        except IntegrityError:
            raise DomainError(
                "conflict",
                _("Unit %(u)s already has a primary contact.") % {"u": unit.number},
                field="units",
            ) from None
    return resident


# One-time codes for residents' "my requests" look-up --------------------------------------------
OTP_TTL_SECONDS = 600
OTP_MAX_TRIES = 5


def _otp_key(estate: Estate, phone: str) -> str:
    return f"otp:{estate.pk}:{privacy.blind_index(phone)}"


def otp_issue(*, estate: Estate, phone: str) -> str:
    """Send a 6-digit code to the phone; only its keyed hash is kept, for 10 minutes."""
    phone = normalize_mobile(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _otp_key(estate, phone),
        {"hash": privacy.blind_index(code), "tries": 0},
        OTP_TTL_SECONDS,
    )
    sms.get_sender().send(
        phone,
        _("[%(estate)s] Your code is %(code)s, valid for 10 minutes.")
        % {"estate": estate.name, "code": code},
    )
    return code


def otp_verify(*, estate: Estate, phone: str, code: str) -> str:
    """The normalised phone when the code is right; a DomainError on ``code`` otherwise. A code
    is good once, and five wrong tries void it."""
    phone = normalize_mobile(phone)
    key = _otp_key(estate, phone)
    entry = cache.get(key)
    if entry is None:
        raise DomainError("invalid", _("The code has expired. Ask for a new one."), field="code")
    if not hmac.compare_digest(entry["hash"], privacy.blind_index((code or "").strip())):
        entry["tries"] += 1
        if entry["tries"] >= OTP_MAX_TRIES:
            cache.delete(key)
            raise DomainError(
                "invalid", _("Too many wrong codes. Ask for a new one."), field="code"
            )
        cache.set(key, entry, OTP_TTL_SECONDS)
        raise DomainError("invalid", _("The code is not right."), field="code")
    cache.delete(key)
    return phone
