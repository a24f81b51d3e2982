"""One-time codes sent by SMS, for residents who prove they hold a phone (their requests,
sign-ups, bookings). Only a keyed hash of the code is kept, in the shared cache.

Codes are capped per phone number as well as per client address (the caller's limit), so
rotating addresses does not flood one phone. When the shared cache is unreachable no code can
be kept: the resident is told to try again shortly (503 on the ``phone`` field), never a 500."""

import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from estate import privacy, sms
from estate.errors import DomainError
from estate.models import Estate
from estate.ratelimit import over
from estate.validators import normalize_mobile

OTP_TTL_SECONDS = 600
OTP_MAX_TRIES = 5


def _otp_key(estate: Estate, phone: str) -> str:
    return f"otp:{estate.pk}:{privacy.blind_index(phone)}"  # as otp_verify_index reads it


def _unavailable() -> DomainError:
    return DomainError(
        "unavailable",
        _("Codes cannot be sent right now. Please try again in a few minutes."),
        field="phone",
        status=503,
    )


def otp_issue(*, estate: Estate, phone: str) -> str:
    """Send a 6-digit code to the phone; only its keyed hash is kept, for 10 minutes. At most
    ``RESIDENT_LIMITS["otp_phone"]`` codes per phone number and hour."""
    phone = normalize_mobile(phone)
    if over(f"otp-phone:{privacy.blind_index(phone)}", rate=settings.RESIDENT_LIMITS["otp_phone"]):
        raise DomainError(
            "rate_limited",
            _("Too many codes were sent to this number. Please try again later."),
            field="phone",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        cache.set(
            _otp_key(estate, phone),
            {"hash": privacy.blind_index(code), "tries": 0},
            OTP_TTL_SECONDS,
        )
    except Exception as exc:  # noqa: BLE001 - the shared cache is down
        raise _unavailable() from exc
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
    otp_verify_index(estate=estate, phone_index=privacy.blind_index(phone), code=code)
    return phone


def otp_verify_index(*, estate: Estate, phone_index: str, code: str) -> str:
    """As :func:`otp_verify`, for a caller that kept only the phone's blind index (a session
    must not hold the full number); returns the index."""
    key = f"otp:{estate.pk}:{phone_index}"
    try:
        entry = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - the shared cache is down
        raise _unavailable() from exc
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
    return phone_index
