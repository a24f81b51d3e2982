"""System checks for the settings a production deployment must not get wrong."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs=None, **kwargs):
    """Production encrypts personal data with its own key, never one derived from SECRET_KEY
    (a leaked SECRET_KEY must not also reveal every phone and ID number)."""
    if settings.DEBUG:
        return []
    keys = list(settings.FIELD_ENCRYPTION_KEYS or [])
    if not keys or getattr(settings, "FIELD_ENCRYPTION_DEVELOPMENT_KEY", False):
        return [
            Error(
                "FIELD_ENCRYPTION_KEY is not set: personal data would be encrypted with a key "
                "derived from SECRET_KEY.",
                hint="Set FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEYS, newest first) to a "
                "long random value of its own, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
                id="estate.E001",
            )
        ]
    if settings.SECRET_KEY in keys or settings.BLIND_INDEX_KEY == settings.SECRET_KEY:
        return [
            Error(
                "FIELD_ENCRYPTION_KEY(S) or BLIND_INDEX_KEY equals SECRET_KEY.",
                hint="Give personal-data encryption its own key.",
                id="estate.E002",
            )
        ]
    if len(keys) > 1 and not settings.BLIND_INDEX_KEY:
        return [
            Warning(
                "Several field-encryption keys and no BLIND_INDEX_KEY: the look-up index is "
                "keyed by the oldest key and would change when that key is dropped.",
                hint="Set BLIND_INDEX_KEY to the oldest key of FIELD_ENCRYPTION_KEYS.",
                id="estate.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def env_file_check(app_configs=None, **kwargs):
    """A server takes its settings from its environment, never from a developer's ``.env``."""
    loaded = list(getattr(settings, "ENV_FILE_LOADED", []) or [])
    if not loaded:
        return []
    return [
        Error(
            f"Settings read from {settings.ENV_FILE}: {', '.join(loaded)}.",
            hint="Remove the development .env (written by `make run`) from the server and set "
            "the variables in the deployment's environment.",
            id="estate.E020",
        )
    ]
