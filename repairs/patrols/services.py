"""Every write of patrols: checklists, planning a round, recording a finding.

A failed item opens a rectification ticket through repairs' own ``ticket_create`` (kind
``rectification``, the checklist's category: its service level gives the deadline; the usual
dispatch, history and overdue flagging follow). The ticket is opened by the one who recorded
the failed item (the inspector, or a manager recording in their place): its creator, and its
creation's history entry names the round and the item; the inspector is named in its text and
is its reporter. The round row is locked while a finding is recorded, and (round, item) is
unique, so a double tap records one finding and opens one ticket."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import localtime, privacy
from estate.errors import DomainError
from estate.models import Estate
from estate.scoping import require, role_in
from estate.validators import clean_text, normalize_mobile
from repairs import roles as repair_roles
from repairs import services as repair_services
from repairs.models import Category, Ticket
from repairs.patrols.models import Area, Checklist, ChecklistItem, Finding, Round
from repairs.photos import clean_photo


@transaction.atomic
def checklist_create(
    *, estate: Estate, by, name: str, area: str, category: Category, items: list[str]
) -> Checklist:
    """A checklist with its items (in the order given). Its category must be one of the
    estate's rectification categories."""
    require(by, estate, "patrols.manage")
    name = clean_text(name, field="name", max_length=50, required=True)
    if area not in Area.values:
        raise DomainError("invalid", _("Choose an area."), field="area")
    if (
        not isinstance(category, Category)
        or category.estate_id != estate.pk
        or category.kind != Ticket.Kind.RECTIFICATION
    ):
        raise DomainError(
            "invalid", _("Choose a rectification category of this estate."), field="category"
        )
    texts = [clean_text(t, field="items", max_length=200) for t in items]
    texts = [t for t in texts if t]
    if not texts:
        raise DomainError("invalid", _("Give at least one item."), field="items")
    if len(texts) > 100:
        raise DomainError("invalid", _("At most 100 items."), field="items")
    if Checklist.objects.filter(estate=estate, name=name).exists():
        raise DomainError("invalid", _("This estate has a checklist of this name."), field="name")
    checklist = Checklist.objects.create(estate=estate, name=name, area=area, category=category)
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(checklist=checklist, text=t, sort=i) for i, t in enumerate(texts)]
    )
    return checklist


@transaction.atomic
def round_plan(
    *,
    estate: Estate,
    by,
    checklist: Checklist,
    inspector,
    inspector_phone: str,
    planned_for: dt.datetime,
    now: dt.datetime | None = None,
) -> Round:
    """Plan who walks which checklist when. The inspector's mobile becomes the reporter's
    phone of the rectification tickets the round opens."""
    now = now or timezone.now()
    require(by, estate, "patrols.manage")
    if checklist.estate_id != estate.pk or not checklist.active:
        raise DomainError("invalid", _("Choose an active checklist of this estate."), "checklist")
    if inspector is None or role_in(inspector, estate) not in repair_roles.STAFF_ON_TICKETS:
        raise DomainError(
            "invalid", _("This person is not on this estate's staff."), field="inspector"
        )
    if not isinstance(planned_for, dt.datetime):
        raise DomainError("invalid", _("Give the date and time."), field="planned_for")
    if timezone.is_naive(planned_for):
        planned_for = timezone.make_aware(planned_for, estate.tz)
    if not now - dt.timedelta(days=1) <= planned_for <= now + dt.timedelta(days=366):
        raise DomainError(
            "invalid", _("Plan a round from today up to a year ahead."), field="planned_for"
        )
    phone = normalize_mobile(inspector_phone, field="inspector_phone")
    return Round.objects.create(
        estate=estate,
        checklist=checklist,
        inspector=inspector,
        inspector_phone_enc=privacy.encrypt(phone),
        inspector_phone_masked=privacy.mask_phone(phone),
        planned_for=planned_for,
        planned_by=by,
        created_at=now,
    )


def may_walk(user, round_: Round) -> bool:
    """The inspector walks the round; a manager may record in their place."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from estate.scoping import can

    if can(user, round_.estate_id, "patrols.manage"):
        return True
    return round_.inspector_id == user.pk and can(user, round_.estate_id, "patrols.walk")


@transaction.atomic
def finding_record(
    *,
    round: Round,  # noqa: A002  (the domain's word)
    by,
    item: ChecklistItem,
    passed: bool,
    note: str = "",
    location: str = "",
    photo=None,
    now: dt.datetime | None = None,
) -> Finding:
    """Record one item of a round. A failure opens its rectification ticket; the round is
    done once every active item has a finding."""
    now = now or timezone.now()
    round_ = (
        Round.objects.select_for_update(of=("self",))
        .select_related("estate", "checklist__category", "inspector", "planned_by")
        .get(pk=round.pk)
    )
    if not may_walk(by, round_):
        raise DomainError("forbidden", _("This round is planned for someone else."), status=403)
    if round_.status == Round.Status.DONE:
        raise DomainError("invalid_transition", _("This round is already done."))
    if item.checklist_id != round_.checklist_id or not item.active:
        raise DomainError("invalid", _("This item is not on the round's checklist."), "item")
    note = clean_text(note, field="note", max_length=500)
    location = clean_text(location, field="location", max_length=100)
    if not passed and not note:
        raise DomainError("invalid", _("Say what is wrong."), field="note")
    if Finding.objects.filter(round=round_, item=item).exists():
        raise DomainError("conflict", _("This item is already recorded."), field="item")
    finding = Finding(
        estate=round_.estate,
        round=round_,
        item=item,
        passed=bool(passed),
        note=note,
        location=location,
        recorded_at=now,
    )
    if photo:
        cleaned = clean_photo(photo)
        finding.photo.save(f"{secrets.token_hex(8)}.jpg", cleaned.content, save=False)
    if not passed:
        checklist = round_.checklist
        inspector = round_.inspector
        who = inspector.get_full_name() or inspector.get_username()
        finding.ticket = repair_services.ticket_create(
            estate=round_.estate,
            kind=Ticket.Kind.RECTIFICATION,
            category=checklist.category,
            priority="normal",
            channel="other",
            description=_("Patrol %(checklist)s, item “%(item)s”: %(note)s (found by %(who)s)")
            % {"checklist": checklist.name, "item": item.text, "note": note, "who": who},
            reporter_name=who[:50],
            reporter_phone=privacy.decrypt(round_.inspector_phone_enc),
            common_area=location or checklist.get_area_display(),
            by=by,
            now=now,
            # ``may_walk`` above is the right to record this item, hence to open its ticket.
            opened_by_rule=_("Patrol round %(round)s (%(when)s), item #%(item)s “%(text)s” failed")
            % {
                "round": round_.pk,
                "when": localtime.local(round_.planned_for, round_.estate).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "item": item.pk,
                "text": item.text,
            },
        )
    try:
        with transaction.atomic():
            finding.save()
    except IntegrityError:
        raise DomainError("conflict", _("This item is already recorded."), field="item") from None
    remaining = (
        ChecklistItem.objects.filter(checklist_id=round_.checklist_id, active=True)
        .exclude(findings__round=round_)
        .exists()
    )
    if not remaining:
        round_.status, round_.done_at = Round.Status.DONE, now
        round_.save(update_fields=["status", "done_at"])
    return finding


@transaction.atomic
def findings_record(
    *,
    round: Round,  # noqa: A002  (the domain's word)
    by,
    results: list[dict],
    now: dt.datetime | None = None,
) -> list[Finding]:
    """Record several items of a round at once (the API): each as ``finding_record``, all or
    nothing; a refusal names the result it concerns (``results.<i>.<field>``)."""
    if not results:
        raise DomainError("invalid", _("Give at least one result."), field="results")
    items = {i.pk: i for i in ChecklistItem.objects.filter(checklist_id=round.checklist_id)}
    found = []
    for n, result in enumerate(results):
        item = items.get(result.get("item"))
        try:
            if item is None:
                raise DomainError(
                    "invalid", _("This item is not on the round's checklist."), field="item"
                )
            found.append(
                finding_record(
                    round=round,
                    by=by,
                    item=item,
                    passed=bool(result.get("passed")),
                    note=result.get("note", ""),
                    location=result.get("location", ""),
                    now=now,
                )
            )
        except DomainError as exc:
            if exc.status in (400, 422) or exc.code in ("invalid", "conflict"):
                exc.field = f"results.{n}.{exc.field or 'item'}"
            raise
    return found
