import datetime as dt

import pytest
from django.utils import timezone

from community.models import Announcement
from community.selectors import announcements_current
from community.services import announcement_publish
from estate.errors import DomainError


def test_only_published_unexpired_announcements_of_the_estate_show(estate_a, estate_b):
    now = timezone.now()
    day = dt.timedelta(days=1)
    live = announcement_publish(
        estate=estate_a, title="停水通知", body="周六停水", publish_at=now - day
    )
    announcement_publish(estate=estate_a, title="未来", body="x", publish_at=now + day)
    announcement_publish(
        estate=estate_a, title="过期", body="x", publish_at=now - 3 * day, expire_at=now - day
    )
    announcement_publish(estate=estate_b, title="别的小区", body="x", publish_at=now - day)
    assert list(announcements_current(estate=estate_a, now=now)) == [live]


def test_expiry_before_publish_is_refused(estate_a):
    now = timezone.now()
    with pytest.raises(DomainError) as err:
        announcement_publish(
            estate=estate_a,
            title="t",
            body="b",
            publish_at=now,
            expire_at=now - dt.timedelta(hours=1),
        )
    assert err.value.field == "expire_at"
    assert not Announcement.objects.exists()
