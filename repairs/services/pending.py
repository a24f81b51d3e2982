"""Photos kept for a resident's report that came back with an error (扫码报修).

A resident on a phone who attached photos and then mistyped the unit should not have to pick
the photos again: they are re-encoded and stored under the form's short-lived token, shown as
already attached, and carried by the next submission. The token is unguessable and bound to
the estate; rows expire after ``PENDING_TTL`` and a periodic task removes them with their files.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.fixedsql import db_int
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


def pending_photos_discard(*, estate: Estate, token: str, ids=None) -> int:
    """Remove photos kept under ``token`` (only ``ids`` when given), files after commit. One
    ``DELETE … RETURNING`` (PostgreSQL, SQLite >= 3.35): the rows and their file names at once,
    atomic by itself (no transaction of its own is opened; inside a caller's, the files go
    when it commits)."""
    if not valid_token(token):
        return 0
    ids = None if ids is None else [pk for pk in (db_int(i) for i in ids) if pk is not None]
    if ids == []:
        return 0
    connection = connections[router.db_for_write(PendingPhoto)]
    qn = connection.ops.quote_name
    sql = (
        f"DELETE FROM {qn(PendingPhoto._meta.db_table)} "
        f"WHERE {qn('estate_id')} = %s AND {qn('token')} = %s"
    )
    params = [estate.pk, token]
    if ids is not None:
        sql += f" AND {qn('id')} IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql += f" RETURNING {qn('image')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [name for (name,) in cursor.fetchall()]
    if names:
        transaction.on_commit(lambda: _delete_files(names), using=connection.alias)
    return len(names)


@transaction.atomic
def pending_photos_purge(*, now: dt.datetime | None = None) -> int:
    """Remove every kept photo past its expiry (periodic), files after commit."""
    now = now or timezone.now()
    rows = PendingPhoto.objects.filter(expires_at__lte=now)
    names = list(rows.values_list("image", flat=True))
    count, _deleted = rows.delete()
    transaction.on_commit(lambda: _delete_files(names))
    return count
