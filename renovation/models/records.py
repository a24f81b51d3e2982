"""An application's life: the application (装修申请) and its drawings, its history, the patrols
(巡查), the violations (违章) and the final acceptance (验收)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from estate.models import Estate, Unit
from fees.models import Bill
from renovation.models.policy import MONEY, ViolationType, WorkType
from repairs.models import Ticket
from residents.models import Resident


class Application(models.Model):
    """A unit's renovation, from the application to the deposit's refund."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CHECKED = "checked", _("checked, awaiting the manager's review")
        RETURNED = "returned", _("returned for changes")
        REJECTED = "rejected", _("rejected")
        APPROVED = "approved", _("approved")
        RENOVATING = "renovating", _("renovating")
        ACCEPTED = "accepted", _("accepted")
        CLOSED = "closed", _("closed, deposit refunded")
        CANCELLED = "cancelled", _("cancelled")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="renovations")
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=50)
    contractor = models.CharField(_("contractor"), max_length=100)
    contractor_person = models.CharField(_("person in charge"), max_length=50)
    contractor_phone = models.CharField(_("contractor's phone"), max_length=11)
    workers = models.PositiveIntegerField(_("number of workers"), default=1)
    work_types = models.ManyToManyField(WorkType, verbose_name=_("planned works"), related_name="+")
    description = models.TextField(_("description"), blank=True, max_length=2000)
    non_routine = models.BooleanField(_("non-routine works"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    review_comment = models.CharField(_("reviewer's comment"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    last_inspected_at = models.DateTimeField(_("last patrol"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    deposit_bill = models.OneToOneField(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_bill = models.OneToOneField(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("renovation application")
        verbose_name_plural = _("renovation applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="reno_app_end_after_start"
            ),
            models.CheckConstraint(condition=Q(workers__gte=1), name="reno_app_workers_gte_1"),
        ]
        indexes = [models.Index(fields=["estate", "status"], name="reno_app_estate_status")]

    def __str__(self) -> str:
        return self.number


# Each step of an application in words (the history shows them; the stored code serves the
# API and audits; renovation/workflow.py uses the same labels in its refusals).
ACTION_LABELS = {
    "submit": _("submit"),
    "edit": _("edit"),
    "approve": _("approve"),
    "check": _("check and pass to the manager"),
    "return": _("return for changes"),
    "reject": _("reject"),
    "resubmit": _("resubmit"),
    "cancel": _("cancel"),
    "start": _("start the works"),
    "inspect": _("record a patrol"),
    "report_violation": _("record a violation"),
    "accept": _("accept"),
    "refund": _("refund the deposit"),
}


class ApplicationEvent(models.Model):
    """One step of an application's history: who did what, when, with which comment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"

    @property
    def action_label(self) -> str:
        """The step in the reader's language (the stored code is for the API and audits)."""
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        return str(Application.Status(self.to_status).label) if self.to_status else ""


def drawing_path(instance, filename: str) -> str:
    return f"renovation/{instance.application.estate_id}/{instance.application_id}/{filename}"


class Drawing(models.Model):
    """A drawing attached to an application: a PDF or an image, size-checked."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="drawings")
    file = models.FileField(_("drawing"), upload_to=drawing_path)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=8)  # "pdf" or "image"
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("drawing")
        verbose_name_plural = _("drawings")

    def __str__(self) -> str:
        return self.name


def inspection_path(instance, filename: str) -> str:
    return f"renovation/{instance.estate_id}/patrols/{filename}"


class Inspection(models.Model):
    """A patrol of a renovating unit (巡查): when, who, what was seen."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="inspections"
    )
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(_("what was seen"), max_length=1000)
    photo = models.ImageField(_("photo"), upload_to=inspection_path, blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["application", "at"], name="reno_inspection_app_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.at:%Y-%m-%d}"


class Acceptance(models.Model):
    """The final inspection (验收) with its checklist; passed or not."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="acceptances"
    )
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checklist = models.JSONField(_("checklist"), default=dict)
    passed = models.BooleanField(_("passed"))
    notes = models.CharField(_("notes"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.at:%Y-%m-%d}"


class Violation(models.Model):
    """A breach of the rules found on a renovation, with a deadline to rectify it (整改)."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("staff patrol")
        RESIDENT_REPORT = "resident_report", _("resident report")
        ACCEPTANCE = "acceptance", _("acceptance inspection")

    class Outcome(models.TextChoices):
        RECTIFIED = "rectified", _("rectified")
        NOT_RECTIFIED = "not_rectified", _("not rectified")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="violations"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    type = models.ForeignKey(
        ViolationType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    description = models.CharField(_("description"), max_length=1000)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    acceptance = models.ForeignKey(
        Acceptance, on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_at = models.DateTimeField(_("found at"))
    # empty: reported by a resident through the web form (the ticket says who)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rectify_due_at = models.DateTimeField(_("rectify by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=1000, blank=True)
    evidence_photo = models.ImageField(_("photo"), upload_to=inspection_path, blank=True)
    penalty = models.DecimalField(_("deposit withheld (CNY)"), default=0, **MONEY)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-found_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, outcome="")
                | Q(closed_at__isnull=False, outcome__in=["rectified", "not_rectified"]),
                name="reno_violation_closed_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome="rectified", rectified_at__isnull=False)
                | (~Q(outcome="rectified") & Q(rectified_at__isnull=True)),
                name="reno_violation_rectified_at",
            ),
            models.CheckConstraint(
                condition=Q(penalty=0) | Q(outcome="not_rectified", penalty__gt=0),
                name="reno_violation_penalty",
            ),
            models.CheckConstraint(
                condition=Q(rectify_due_at__gte=F("found_at")), name="reno_violation_due"
            ),
        ]
        indexes = [
            models.Index(fields=["estate", "found_at"], name="reno_violation_found"),
            models.Index(fields=["application", "closed_at"], name="reno_violation_app_open"),
        ]

    def __str__(self) -> str:
        return self.number


class Worker(models.Model):
    """One of the contractor's workers allowed on site (装修工人), printed on a pass
    (出入证). Only the last four characters of the ID document are kept, never the number,
    and no phone."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="site_workers"
    )
    name = models.CharField(_("name"), max_length=50)
    id_last4 = models.CharField(_("ID document, last 4"), max_length=4)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_last4__regex=r"^[0-9X]{4}$"), name="reno_worker_id_last4"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return f"**************{self.id_last4}"
