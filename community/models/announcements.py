"""Announcements (公告) shown on the residents' estate page and printed for notice boards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Estate


class Announcement(models.Model):
    class Category(models.TextChoices):
        NOTICE = "notice", _("notice")
        OUTAGE = "outage", _("outage")
        SAFETY = "safety", _("safety")
        EVENT = "event", _("event")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=100)
    # Plain text: shown escaped, with line breaks kept and links made clickable; never HTML.
    body = models.TextField(_("text"), max_length=5000)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.NOTICE
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    publish_at = models.DateTimeField(_("publish at"))
    expire_at = models.DateTimeField(_("expire at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-publish_at"]
        indexes = [models.Index(fields=["estate", "publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expire_at__isnull=True)
                | models.Q(expire_at__gt=models.F("publish_at")),
                name="announcement_expires_after_publish",
            )
        ]

    def __str__(self) -> str:
        return self.title
