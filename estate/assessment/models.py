"""Training sessions (培训) per estate and who attended, passed or not."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Estate


class TrainingSession(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=50)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings"
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    ESTATE_PATH = "session__estate"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"
