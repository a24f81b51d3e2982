"""Satisfaction surveys (业主满意度调查) by aspect, and the monthly sampled call (电话回访)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate, Unit


class Aspect(models.TextChoices):
    SERVICE_ATTITUDE = "service_attitude", _("service attitude")
    REPAIRS = "repairs", _("repairs")
    CLEANLINESS = "cleanliness", _("cleanliness")
    SECURITY = "security", _("security")
    GREENERY = "greenery", _("greenery")
    FEES = "fees", _("fees")
    OVERALL = "overall", _("overall")


class Survey(models.Model):
    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("satisfaction survey")
        MONTHLY_CALL = "monthly_call", _("monthly sampled call")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERIODIC)
    title = models.CharField(_("title"), max_length=100)
    # "2026-Q3", "2026-10": the period the survey is about.
    period = models.CharField(_("period"), max_length=16)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # Unguessable (128 bits): the residents' link.
    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_open"
            ),
            # One sampled call list per estate and month: sampling twice finds the first.
            models.UniqueConstraint(
                fields=["estate", "period"],
                condition=Q(kind="monthly_call"),
                name="survey_one_call_per_month",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    aspect = models.CharField(_("aspect"), max_length=24, choices=Aspect.choices)
    text = models.CharField(_("question"), max_length=200)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "aspect"], name="question_one_per_aspect")
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One unit's answers to one survey (every aspect together)."""

    ESTATE_PATH = "survey__estate"

    class Channel(models.TextChoices):
        WEB = "web", _("resident link")
        PAPER = "paper", _("paper form")
        PHONE = "phone", _("phone")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("unit"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    answered_at = models.DateTimeField(_("answered at"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="response_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.unit_id}"


class SurveyAnswer(models.Model):
    """One aspect's rating. ``estate`` and ``answered_at`` repeat the response's, so the
    satisfaction rate and the answers list read one table."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="answers")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT)
    aspect = models.CharField(_("aspect"), max_length=24, choices=Aspect.choices)
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["estate", "answered_at"], name="answer_rate_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="answer_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aspect}={self.rating}"


class CallSample(models.Model):
    """A unit drawn for the month's satisfaction call; staff record the answers."""

    ESTATE_PATH = "survey__estate"

    class Status(models.TextChoices):
        PENDING = "pending", _("to call")
        ANSWERED = "answered", _("answered")
        UNREACHED = "unreached", _("not reached")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="samples")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("unit"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    response = models.OneToOneField(
        SurveyResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="call"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="call_sample_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.unit_id}"
