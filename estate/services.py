"""Every write of the estate app: KPI snapshots, API tokens, notifications."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi
from estate.errors import DomainError
from estate.models import (
    ApiToken,
    Estate,
    KpiSnapshot,
    Membership,
    Notification,
    Role,
    Unit,
)


@transaction.atomic
def kpi_snapshot_compute(*, estate: Estate, period: kpi.Period) -> list[KpiSnapshot]:
    """Compute every registered metric of one estate and period and store them together.

    One transaction: a run killed half-way leaves the previous snapshot whole; running twice or
    concurrently leaves the same rows (upsert on estate+period+key)."""
    results = kpi.compute_all(estate=estate, period=period)
    rows = [
        KpiSnapshot(
            estate=estate,
            period=period.label,
            key=key,
            numerator=ratio.numerator,
            denominator=ratio.denominator,
            rate=ratio.rate,
            computed_at=period.now,
        )
        for key, ratio in results.items()
    ]
    KpiSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["estate", "period", "key"],
        update_fields=["numerator", "denominator", "rate", "computed_at"],
    )
    return rows


def kpi_snapshots_refresh(*, now=None, estates=None, periods: list[str] | None = None) -> int:
    """Recompute the snapshots of the current and the previous month of every estate (or of the
    estates and month labels given). Returns how many estate-periods were written."""
    now = now or timezone.now()
    written = 0
    for estate in estates if estates is not None else Estate.objects.all():
        if periods:
            todo = [kpi.Period.month(estate.tz, label, now=now) for label in periods]
        else:
            current = kpi.Period.containing(estate.tz, now, now=now)
            todo = [current.previous(), current]
        for period in todo:
            kpi_snapshot_compute(estate=estate, period=period)
            written += 1
    return written


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for the user. The plain token is returned once and never stored."""
    if not user.is_active:
        raise DomainError("invalid", _("An inactive user cannot hold an API token."), field="user")
    token = "ed_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name[:64], prefix=token[:10], key_hash=_hash_token(token)
    )
    return record, token


def api_token_lookup(token: str) -> ApiToken | None:
    record = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is not None:
        now = timezone.now()
        # Touch at most once a minute: a busy client should not write on every request.
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on (kept for the record)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def notifications_mark_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_roles(
    *, estate: Estate, roles: list[str], title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """An in-app notification for every staff member of the estate holding one of the roles."""
    user_ids = Membership.objects.filter(estate=estate, role__in=roles).values_list(
        "user_id", flat=True
    )
    return Notification.objects.bulk_create(
        [
            Notification(user_id=uid, estate=estate, title=title[:200], body=body, link=link)
            for uid in user_ids
        ]
    )


def notify_managers(*, estate: Estate, title: str, body: str = "", link: str = ""):
    return notify_roles(
        estate=estate, roles=[Role.MANAGER, Role.ADMIN], title=title, body=body, link=link
    )


def unit_status_set(*, unit: Unit, status: str) -> Unit:
    """Set a unit's status (e.g. renovating while works run, occupied after acceptance).
    Called inside the caller's transaction by the module that owns the reason for it."""
    if status not in Unit.Status.values:
        raise DomainError("invalid", _("Unknown unit status."), field="status")
    Unit.objects.filter(pk=unit.pk).update(status=status)
    unit.status = status
    return unit
