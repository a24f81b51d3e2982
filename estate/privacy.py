"""Personal data: masking, encryption at rest, and the log of every unmasked view."""

import base64
import functools
import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


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


class DecryptionError(Exception):
    """A protected value that none of the configured keys can read: the key that wrote it is
    missing from FIELD_ENCRYPTION_KEYS (or the value was damaged). Never shown as blank."""


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS or ())
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEYS) must be set when DEBUG is off."
        )
    return keys


@functools.lru_cache(maxsize=16)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    # Any string is accepted as key material; it is stretched to a Fernet key, so existing
    # values stay readable whatever form the operator's keys take.
    return tuple(
        Fernet(
            base64.urlsafe_b64encode(
                hashlib.sha256(b"estatedesk-field-encryption:" + key.encode()).digest()
            )
        )
        for key in keys
    )


def _multi() -> MultiFernet:
    return MultiFernet(list(_fernets(_keys())))


def encrypt(value: str) -> str:
    """Encrypted with the newest key (the first of FIELD_ENCRYPTION_KEYS)."""
    return _fernets(_keys())[0].encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The clear value; any configured key may have written it. A value no key can read
    raises DecryptionError (and is logged): a blank would hide lost data."""
    if not token:
        return ""
    try:
        return _multi().decrypt(token.encode()).decode()
    except InvalidToken:
        logger.error(
            "A protected field cannot be decrypted with the %d configured key(s): the key "
            "that wrote it is missing from FIELD_ENCRYPTION_KEYS, or the value is damaged.",
            len(_keys()),
        )
        raise DecryptionError(
            "This value cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."
        ) from None


def is_current(token: str) -> bool:
    """Whether the value is already encrypted with the newest key (nothing to re-encrypt)."""
    if not token:
        return True
    try:
        _fernets(_keys())[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key (MultiFernet.rotate); DecryptionError when
    no configured key can read it."""
    if not token:
        return ""
    try:
        return _multi().rotate(token.encode()).decode()
    except InvalidToken:
        logger.error("A protected field cannot be re-encrypted: no configured key reads it.")
        raise DecryptionError(
            "This value cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."
        ) from None


def blind_index_key() -> str:
    """BLIND_INDEX_KEY, else the OLDEST encryption key (the last listed): adding a new key in
    front never changes the index. Before the oldest key is dropped from the list, set
    BLIND_INDEX_KEY to it (README, "Rotating the field-encryption key")."""
    return settings.BLIND_INDEX_KEY or _keys()[-1]


def blind_index(value: str) -> str:
    """A keyed hash, so an exact value can be looked up without storing it in clear. Its key
    never rotates, so look-ups keep working across a re-encryption."""
    if not value:
        return ""
    return hmac.new(blind_index_key().encode(), value.encode(), hashlib.sha256).hexdigest()


def encrypted_fields() -> list[tuple[type, list[str]]]:
    """Every model with protected columns (a text field named ``*_enc``) and those columns."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if f.name.endswith("_enc") and f.get_internal_type() == "TextField"
        ]
        if names:
            found.append((model, names))
    return found


def reencrypt_batch(*, model, fields: list[str], after_pk, batch_size: int) -> tuple:
    """Re-encrypt the protected columns of the next ``batch_size`` rows after ``after_pk``
    with the newest key, in one transaction with the rows locked (an edit in between is not
    overwritten by a stale value). Rows already on the newest key are left alone, so a run
    that stopped half-way is simply started again. Returns (last pk, rows read, rows written),
    last pk None when there is nothing after ``after_pk``."""
    from django.db import transaction

    with transaction.atomic():
        qs = model._default_manager.order_by("pk").select_for_update()
        if after_pk is not None:
            qs = qs.filter(pk__gt=after_pk)
        rows = list(qs.only("pk", *fields)[:batch_size])
        changed = []
        for row in rows:
            stale = False
            for name in fields:
                value = getattr(row, name)
                if not is_current(value):
                    setattr(row, name, reencrypt(value))
                    stale = True
            if stale:
                changed.append(row)
        if changed:
            model._default_manager.bulk_update(changed, fields)
    return (rows[-1].pk if rows else None), len(rows), len(changed)


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
