"""Writes of the dashboard: rate targets and the monthly bulletin. Keyword-only, one
transaction each; a refusal is a DomainError naming the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi, scoping
from estate.errors import DomainError
from estate.models import Bulletin, Estate, KpiTarget


def _key(key: str) -> str:
    if key not in {m.key for m in kpi.metrics()}:
        raise DomainError("invalid", _("There is no rate %(key)s.") % {"key": key}, field="key")
    return key


def parse_target(value) -> Decimal:
    """A target as a rate 0..1, from a rate ("0.95") or a percentage ("95%")."""
    text = str(value if value is not None else "").strip()
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise DomainError("invalid", _("Enter a number, e.g. 0.95 or 95%."), field="target")
    if percent:
        number = number / 100
    if not Decimal(0) <= number <= Decimal(1):
        raise DomainError("invalid", _("A target is between 0 and 1 (0% to 100%)."), field="target")
    return number.quantize(kpi.RATE_PLACES)


def _may_set(user, estate: Estate | None) -> None:
    if estate is None:
        if not scoping.is_company_admin(user):
            raise DomainError(
                "forbidden", _("Only a company admin sets the company defaults."), status=403
            )
        return
    scoping.require(user, estate, "kpi.targets")


@transaction.atomic
def kpi_target_set(*, user, estate: Estate | None, key: str, target) -> KpiTarget:
    """Set the target of a rate for an estate (a manager) or the company default (``estate``
    None, a company admin), recording who and when."""
    _may_set(user, estate)
    value = parse_target(target)
    row, _created = KpiTarget.objects.select_for_update().update_or_create(
        estate=estate,
        key=_key(key),
        defaults={
            "target": value,
            "set_by": user,
            "set_by_name": user.get_full_name() or user.get_username(),
            "set_at": timezone.now(),
        },
    )
    return row


@transaction.atomic
def kpi_target_clear(*, user, estate: Estate | None, key: str) -> int:
    """Remove an estate's own target (the company default applies again) or a default."""
    _may_set(user, estate)
    deleted, _rows = KpiTarget.objects.filter(estate=estate, key=_key(key)).delete()
    return deleted


def _editable(bulletin: Bulletin) -> None:
    if bulletin.issued_at is not None:
        raise DomainError(
            "conflict", _("This bulletin is issued and can no longer change."), status=409
        )


@transaction.atomic
def bulletin_draft(*, estate: Estate | None, period: kpi.Period) -> Bulletin:
    """The draft of the month's bulletin, created when missing (the periodic task and the
    manager's page both call this)."""
    bulletin, _created = Bulletin.objects.get_or_create(estate=estate, period=period.label)
    return bulletin


@transaction.atomic
def bulletin_save(*, user, bulletin_id: int, summary: str) -> Bulletin:
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin_id)
    _may_edit(user, bulletin)
    _editable(bulletin)
    if len(summary) > 2000:
        raise DomainError("invalid", _("At most 2000 characters."), field="summary")
    bulletin.summary = summary.strip()
    bulletin.save(update_fields=["summary"])
    return bulletin


def _may_edit(user, bulletin: Bulletin) -> None:
    if bulletin.estate_id is None:
        if not scoping.is_company_admin(user):
            raise DomainError("forbidden", _("Your role does not allow this."), status=403)
        return
    scoping.require(user, bulletin.estate_id, "kpi.bulletin")


@transaction.atomic
def bulletin_issue(*, user, bulletin_id: int) -> Bulletin:
    """Issue the bulletin: render the PDF once and store it; every later download is these
    bytes."""
    from estate.dashboard import bulletin as pdf

    bulletin = (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=bulletin_id)
    )
    _may_edit(user, bulletin)
    _editable(bulletin)
    bulletin.issued_at = timezone.now()
    bulletin.issued_by = user
    bulletin.issued_by_name = user.get_full_name() or user.get_username()
    bulletin.pdf = pdf.render(bulletin)
    bulletin.save(update_fields=["issued_at", "issued_by", "issued_by_name", "pdf"])
    return bulletin


def bulletins_prepare(*, now=None) -> int:
    """Once the previous month is frozen (the rates' periodic task freezes it from day
    ``settings.KPI_FREEZE_AFTER_DAY``, default the 5th, of the next month), the drafts of its
    bulletins exist: one per estate whose month is frozen, and the company's from that day.
    Returns how many were created (0 once they exist: the task may run daily)."""
    from django.conf import settings

    from estate.kpi_selectors import frozen_months

    now = now or timezone.now()
    day = int(getattr(settings, "KPI_FREEZE_AFTER_DAY", 5))
    created = 0
    estates = list(scoping.estates_for_company())
    frozen = frozen_months(estates=estates)  # one query: (estate id, label) of frozen months
    for estate in estates:
        period = kpi.Period.containing(estate.tz, now, now=now)
        if period.today.day < day or (estate.pk, period.previous().label) not in frozen:
            continue
        _b, new = Bulletin.objects.get_or_create(estate=estate, period=period.previous().label)
        created += new
    company = kpi.Period.containing(timezone.get_default_timezone(), now, now=now)
    if estates and company.today.day >= day:
        _b, new = Bulletin.objects.get_or_create(estate=None, period=company.previous().label)
        created += new
    return created
