"""One-time codes sent by SMS, for residents who prove they hold a phone (their requests,
sign-ups, bookings). Only a keyed hash of the code is kept, in the shared cache."""

import hmac
import secrets

from django.core.cache import cache
from django.utils.translation import gettext as _

from estate import privacy, sms
from estate.errors import DomainError
from estate.models import Estate
from estate.validators import normalize_mobile

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
