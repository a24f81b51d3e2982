"""Writes of announcements (公告): publish to one estate or several at once, edit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Announcement
from estate.errors import DomainError
from estate.models import Estate
from estate.validators import clean_text


def _clean(*, title, body, category, publish_at, expire_at) -> dict:
    if expire_at is not None and expire_at <= publish_at:
        raise DomainError(
            "invalid", _("The expiry must be after the publish time."), field="expire_at"
        )
    if category not in Announcement.Category.values:
        raise DomainError("invalid", _("Choose a category."), field="category")
    return {
        "title": clean_text(title, field="title", max_length=100, required=True),
        "body": clean_text(body, field="body", max_length=5000, required=True),
        "category": category,
        "publish_at": publish_at,
        "expire_at": expire_at,
    }


@transaction.atomic
def announcements_publish(
    *,
    estates: list[Estate],
    title: str,
    body: str,
    category: str = Announcement.Category.NOTICE,
    pinned: bool = False,
    publish_at=None,
    expire_at=None,
    by=None,
) -> list[Announcement]:
    """The same announcement for each estate (one row each, edited separately afterwards).
    Shown on each estate's resident page from ``publish_at`` until ``expire_at``."""
    if not estates:
        raise DomainError("invalid", _("Choose at least one estate."), field="estates")
    fields = _clean(
        title=title,
        body=body,
        category=category,
        publish_at=publish_at or timezone.now(),
        expire_at=expire_at,
    )
    return [
        Announcement.objects.create(estate=estate, pinned=bool(pinned), created_by=by, **fields)
        for estate in estates
    ]


def announcement_publish(*, estate: Estate, **kwargs) -> Announcement:
    """One estate's announcement (see ``announcements_publish``)."""
    return announcements_publish(estates=[estate], **kwargs)[0]


@transaction.atomic
def announcement_update(
    *,
    announcement: Announcement,
    title: str,
    body: str,
    category: str,
    pinned: bool,
    publish_at,
    expire_at,
) -> Announcement:
    """Change what an announcement says or when it shows; expiring it now takes it down."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    fields = _clean(
        title=title, body=body, category=category, publish_at=publish_at, expire_at=expire_at
    )
    for name, value in fields.items():
        setattr(announcement, name, value)
    announcement.pinned = bool(pinned)
    announcement.save()
    return announcement
