"""Personal data: masking, encryption at rest, and the log of every unmasked view."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``110***********1234``."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def _key_material() -> bytes:
    return (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"estatedesk-field-encryption:" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def blind_index(value: str) -> str:
    """A keyed hash, so an exact value can be looked up without storing it in clear."""
    if not value:
        return ""
    return hmac.new(_key_material(), value.encode(), hashlib.sha256).hexdigest()


def log_unmasked(*, user, obj, field: str, estate=None, request=None) -> None:
    """Write who saw which personal value of which record, and when."""
    from estate.models import AccessLog

    AccessLog.objects.create(
        user=user,
        estate=estate if estate is not None else getattr(obj, "estate", None),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        field=field,
        path=(request.get_full_path()[:255] if request is not None else ""),
    )
