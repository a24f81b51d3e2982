"""Reads of the community app."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from community.models import Announcement
from estate.models import Estate


def announcements_current(*, estate: Estate, now=None, limit: int = 10) -> QuerySet[Announcement]:
    """Published and not yet expired, newest first."""
    now = now or timezone.now()
    return Announcement.objects.filter(
        Q(expire_at__isnull=True) | Q(expire_at__gt=now), estate=estate, publish_at__lte=now
    ).order_by("-publish_at")[:limit]
