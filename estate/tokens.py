"""Bearer tokens on the request path: who a token is, from the shared cache.

Every API call with ``Authorization: Bearer`` needs the token's user, the user's role in each
estate and whether they are a company-wide admin: three or four queries when read from the
database. They are kept in the shared cache (Redis in a deployment, so every worker sees the
same entry; never a process's memory), keyed by the token's SHA-256, for at most a minute.

An entry never outlives what it says:

- revoking or deleting a token, saving or deleting a user (deactivated, superuser flag), a
  change of their staff roles (``Membership``), of their permissions or groups, or of a
  group's permissions mark the user's entries stale at once, and again when the transaction
  commits;
- a stale mark blocks refilling for a few seconds (``add``, never ``set``), so a request that
  read the database just before the change cannot put the old answer back;
- writes that bypass model signals (``QuerySet.update``, ``bulk_create``) are seen within
  ``TTL`` seconds.

The minute is also how often ``last_used_at`` is written (on the database read that refills
the entry), as before. When the cache cannot be reached, the database answers."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

TTL = 60  # seconds an entry is served; also the resolution of last_used_at
STALE_SECONDS = 10  # how long a stale mark blocks refilling
STALE = "stale"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cache_key(key_hash: str) -> str:
    return f"apitoken:{key_hash}"


def _from_database(key_hash: str):
    """(user, entry) for a live token of an active user, else (None, None). Touches
    ``last_used_at`` at most once a minute."""
    from estate.models import ApiToken
    from estate.scoping import is_company_admin, roles_of

    record = (
        ApiToken.objects.select_related("user")
        .defer("user__password")  # the entry never carries the password hash
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None, None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    user = record.user
    entry = {"token_id": record.pk, "user": user}
    entry["roles"] = dict(roles_of(user))
    entry["company_admin"] = is_company_admin(user)
    # Pickled with the user: the request-scoped memo attributes go in the entry, not in it.
    for attr in (
        "_ed_roles",
        "_ed_company_admin",
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
    ):
        user.__dict__.pop(attr, None)
    return user, entry


def user_for_token(token: str):
    """The active user a live token belongs to, with their roles already known for the
    request (``estate.scoping`` reads them from the user); None for any other token."""
    key_hash = token_hash(token)
    key = cache_key(key_hash)
    try:
        cached = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation, never a gate
        log.warning("shared cache unreachable for API tokens (%s)", exc)
        cached = STALE
    if isinstance(cached, dict):
        user = cached["user"]
    else:
        user, entry = _from_database(key_hash)
        if user is None:
            return None
        if cached is None:
            try:
                cache.add(key, entry, TTL)
            except Exception as exc:  # noqa: BLE001
                log.warning("shared cache unreachable for API tokens (%s)", exc)
        cached = entry
    user._ed_roles = dict(cached["roles"])
    user._ed_company_admin = cached["company_admin"]
    return user


def _mark_stale(keys: list[str]) -> None:
    if not keys:
        return

    def mark():
        try:
            cache.set_many(dict.fromkeys(keys, STALE), STALE_SECONDS)
        except Exception as exc:  # noqa: BLE001 - entries expire within TTL anyway
            log.warning("could not mark API token entries stale (%s)", exc)

    mark()
    transaction.on_commit(mark)


def forget_tokens(*key_hashes: str) -> None:
    """The cached answers for these tokens are stale (revoked, deleted)."""
    _mark_stale([cache_key(h) for h in key_hashes if h])


def forget_users(*user_ids: int) -> None:
    """The cached answers for every token of these users are stale (roles, rights, state)."""
    from estate.models import ApiToken

    ids = [u for u in user_ids if u is not None]
    if not ids:
        return
    hashes = ApiToken.objects.filter(user_id__in=ids).values_list("key_hash", flat=True)
    forget_tokens(*hashes)


# Signal receivers (connected in estate.apps) --------------------------------------------------
def on_token_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        forget_tokens(instance.key_hash)


def on_user_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return  # a new user has no token; a login changes nothing a token answers
    forget_users(instance.pk)


def on_membership_changed(sender, instance, **kwargs) -> None:
    forget_users(instance.user_id)


def on_user_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user's permissions or groups (either side of the relation) changed."""
    if not action.startswith("post_"):
        return
    from django.contrib.auth import get_user_model

    if isinstance(instance, get_user_model()):
        forget_users(instance.pk)
    elif pk_set:  # the reverse side: a permission or a group given to these users
        forget_users(*pk_set)


def on_group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A group's permissions changed: every member's answer may change."""
    if not action.startswith("post_"):
        return
    from django.contrib.auth.models import Group

    groups = [instance.pk] if isinstance(instance, Group) else list(pk_set or ())
    if groups:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(groups__in=groups).values_list("pk", flat=True)
        forget_users(*users)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from estate.models import ApiToken, Membership

    user_model = get_user_model()
    post_save.connect(on_token_changed, sender=ApiToken, dispatch_uid="apitoken-saved")
    post_delete.connect(on_token_changed, sender=ApiToken, dispatch_uid="apitoken-deleted")
    post_save.connect(on_user_changed, sender=user_model, dispatch_uid="apitoken-user-saved")
    post_delete.connect(on_user_changed, sender=user_model, dispatch_uid="apitoken-user-deleted")
    post_save.connect(on_membership_changed, sender=Membership, dispatch_uid="apitoken-role")
    post_delete.connect(on_membership_changed, sender=Membership, dispatch_uid="apitoken-role-d")
    for through in (user_model.user_permissions.through, user_model.groups.through):
        m2m_changed.connect(on_user_m2m_changed, sender=through, dispatch_uid=f"apitoken-{through}")
    m2m_changed.connect(
        on_group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="apitoken-group-perms",
    )
