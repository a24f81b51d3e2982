"""Photos kept for a resident's report that came back with an error (扫码报修).

A resident on a phone who attached photos and then mistyped the unit should not have to pick
the photos again: they are re-encoded and stored under the form's short-lived token, shown as
already attached, and carried by the next submission. The token is unguessable and bound to
the estate; rows expire after ``PENDING_TTL`` and a periodic task removes them with their files.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate
from repairs.models import PendingPhoto
from repairs.photos import MAX_PHOTOS, clean_photo, pending_token_new, pending_token_valid

PENDING_TTL = dt.timedelta(hours=1)
valid_token = pending_token_valid
new_token = pending_token_new


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def pending_photos_keep(
    *, estate: Estate, token: str, uploads, room: int = MAX_PHOTOS, now: dt.datetime | None = None
) -> tuple[list[PendingPhoto], list[str]]:
    """Keep the uploads that are photos (re-encoded, no EXIF) under ``token``, at most ``room``
    of them. Returns (rows kept, error messages of the files refused)."""
    now = now or timezone.now()
    if not valid_token(token):
        raise DomainError(
            "invalid", _("The photo upload token is not valid."), field="upload_token"
        )
    kept, errors = [], []
    for upload in [u for u in (uploads or ()) if u]:
        if len(kept) >= room:
            break
        try:
            clean = clean_photo(upload)
        except DomainError as exc:
            errors.append(exc.message)
            continue
        kept.append(
            PendingPhoto.objects.create(
                estate=estate,
                token=token,
                image=clean.content,
                original_name=(getattr(upload, "name", "") or "")[-100:],
                width=clean.width,
                height=clean.height,
                created_at=now,
                expires_at=now + PENDING_TTL,
            )
        )
    PendingPhoto.objects.filter(estate=estate, token=token).update(expires_at=now + PENDING_TTL)
    return kept, errors


@transaction.atomic
def pending_photos_discard(*, estate: Estate, token: str, ids=None) -> int:
    """Remove photos kept under ``token`` (only ``ids`` when given), files after commit."""
    if not valid_token(token):
        return 0
    rows = PendingPhoto.objects.filter(estate=estate, token=token)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    names = list(rows.values_list("image", flat=True))
    count, _deleted = rows.delete()
    transaction.on_commit(lambda: _delete_files(names))
    return count


@transaction.atomic
def pending_photos_purge(*, now: dt.datetime | None = None) -> int:
    """Remove every kept photo past its expiry (periodic), files after commit."""
    now = now or timezone.now()
    rows = PendingPhoto.objects.filter(expires_at__lte=now)
    names = list(rows.values_list("image", flat=True))
    count, _deleted = rows.delete()
    transaction.on_commit(lambda: _delete_files(names))
    return count
