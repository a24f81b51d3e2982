"""Every write of the community app."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Announcement
from estate.errors import DomainError
from estate.models import Estate
from estate.validators import clean_text


@transaction.atomic
def announcement_publish(
    *, estate: Estate, title: str, body: str, publish_at=None, expire_at=None, by=None
) -> Announcement:
    """An announcement shown on the estate's resident page from publish_at until expire_at."""
    publish_at = publish_at or timezone.now()
    if expire_at is not None and expire_at <= publish_at:
        raise DomainError(
            "invalid", _("The expiry must be after the publish time."), field="expire_at"
        )
    return Announcement.objects.create(
        estate=estate,
        title=clean_text(title, field="title", max_length=100, required=True),
        body=clean_text(body, field="body", max_length=5000, required=True),
        publish_at=publish_at,
        expire_at=expire_at,
        created_by=by,
    )
