"""The ticket page: every field, the history, the photos, and each transition the user's role
allows as a form; refusals come back as a message beside the form, never a 500.

The buttons shown are those the transition table (``repairs.workflow``) allows this user now;
the service asks the same table under the row lock, so a stale page that offers a transition no
longer allowed gets the service's 409 message.
"""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from estate import privacy, scoping
from estate.errors import DomainError
from estate.pages import forbidden, safe_next
from repairs import forms as f
from repairs import selectors, services
from repairs import workflow as wf
from repairs.models import Ticket

UNMASK = "personal_data.view_unmasked"


@dataclass(frozen=True)
class Action:
    """How the page shows and runs an action; whether it is offered is the transition table's
    answer (``repairs.workflow.allowed_actions``), never this page's."""

    label: str
    form: type
    run: Callable
    secondary: bool = False
    # Asked to confirm: the form posts to a page that says what will happen (``confirm``)
    # and repeats the fields (plus ``extra`` ones, e.g. photos) with the final button.
    confirm: str | None = None
    extra: tuple[str, ...] = ()


def _dispatch(ticket, by, d):
    return services.ticket_dispatch(
        ticket=ticket, by=by, assignee=d["assignee"], department=d["department"], note=d["note"]
    )


def _charge(ticket, by, d):
    return services.ticket_charge_set(
        ticket=ticket, by=by, amount=d["amount"] or None, note=d["note"]
    )


def _visit(ticket, by, d):
    return services.return_visit_record(
        ticket=ticket,
        by=by,
        reached=d["reached"],
        solved=d["solved"] if d["reached"] else None,
        rating=d["rating"] if d["reached"] else None,
        comment=d["comment"],
        reopen=d["reopen"],
    )


def _resolve(ticket, by, d):
    return services.ticket_resolve(
        ticket=ticket, by=by, note=d["note"], photos=d["photos"], note_required=True
    )


ACTIONS: dict[str, Action] = {
    "accept": Action(
        gettext_lazy("Accept"),
        f.NoteForm,
        lambda t, by, d: services.ticket_accept(ticket=t, by=by, note=d["note"]),
    ),
    "dispatch": Action(
        gettext_lazy("Dispatch"),
        f.DispatchForm,
        _dispatch,
    ),
    "start": Action(
        gettext_lazy("Start"),
        f.NoteForm,
        lambda t, by, d: services.ticket_start(ticket=t, by=by, note=d["note"]),
    ),
    "resolve": Action(
        gettext_lazy("Resolve"),
        f.ResolveForm,
        _resolve,
        confirm=gettext_lazy(
            "The ticket will be marked resolved with your note: its resolution clock stops now "
            "and the front desk calls the resident back."
        ),
        extra=("photos",),
    ),
    "hold": Action(
        gettext_lazy("Put on hold"),
        f.ReasonForm,
        lambda t, by, d: services.ticket_hold(ticket=t, by=by, reason=d["reason"]),
        secondary=True,
    ),
    "resume": Action(
        gettext_lazy("Resume"),
        f.NoteForm,
        lambda t, by, d: services.ticket_resume(ticket=t, by=by, note=d["note"]),
    ),
    "visit": Action(
        gettext_lazy("Record the return visit"),
        f.VisitForm,
        _visit,
    ),
    "close": Action(
        gettext_lazy("Close"),
        f.CloseForm,
        lambda t, by, d: services.ticket_close(
            ticket=t, by=by, outcome=d["outcome"], note=d["note"]
        ),
    ),
    "reopen": Action(
        gettext_lazy("Reopen"),
        f.ReasonForm,
        lambda t, by, d: services.ticket_reopen(ticket=t, by=by, reason=d["reason"]),
        secondary=True,
    ),
    "charge": Action(
        gettext_lazy("Set the paid-service charge"),
        f.ChargeForm,
        _charge,
        secondary=True,
    ),
    "photo": Action(
        gettext_lazy("Add a photo"),
        f.PhotoForm,
        lambda t, by, d: services.ticket_photo_add(ticket=t, by=by, photo=d["photo"]),
        secondary=True,
    ),
    "cancel": Action(
        gettext_lazy("Cancel ticket"),
        f.CancelForm,
        lambda t, by, d: services.ticket_cancel(
            ticket=t, by=by, reason=d["reason"], note=d["note"]
        ),
        secondary=True,
        confirm=gettext_lazy(
            "The ticket will be cancelled (作废): it leaves the work lists and every rate, and "
            "nobody works on it any more. A manager can restore it if this was a mistake."
        ),
    ),
    "restore": Action(
        gettext_lazy("Restore the ticket"),
        f.ReasonForm,
        lambda t, by, d: services.ticket_restore(ticket=t, by=by, reason=d["reason"]),
        secondary=True,
        confirm=gettext_lazy(
            "The ticket comes back with the status it had when it was cancelled and counts in "
            "every rate again."
        ),
    ),
}
# Where a service's field shows on the action's form.
FIELD_MAP = {"department": "department", "photos": "photo", "assignee": "assignee"}


# The field a form's phrases go into, and which situations' phrases it offers.
PHRASE_FIELDS = {
    "accept": "note",
    "dispatch": "note",
    "hold": "reason",
    "resume": "note",
    "resolve": "note",
    "visit": "comment",
    "close": "note",
}
PHRASE_SITUATIONS = {
    "accept": ("accept", "other"),
    "dispatch": ("dispatch", "other"),
    "hold": ("hold",),
    "resume": ("other",),
    "resolve": ("resolve",),
    "visit": ("return_visit",),
    "close": ("return_visit", "other"),
}


def _ticket_or_404(request, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_detail(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


class DispatchChoices:
    """The dispatch form's choices, read once per page."""

    def __init__(self, estate):
        self.candidates = selectors.dispatch_candidates(estate=estate)
        self.departments = selectors.departments(estate=estate)

    def form(self, *args, **kwargs) -> f.DispatchForm:
        return f.DispatchForm(
            *args, candidates=self.candidates, departments=self.departments, **kwargs
        )

    def objects(self, data: dict) -> dict:
        users = {str(u.pk): u for u in self.candidates}
        departments = {str(d.pk): d for d in self.departments}
        return data | {
            "assignee": users.get(data["assignee"]),
            "department": departments.get(data["department"]),
        }


def _make_form(name: str, dispatch: DispatchChoices, data=None, files=None, initial=None):
    if name == "dispatch":
        return dispatch.form(data, files, prefix=name, initial=initial)
    return ACTIONS[name].form(data, files, prefix=name, initial=initial)


def _initial(name: str, ticket: Ticket) -> dict | None:
    """Closing starts from what the latest reached return visit said (never "solved" when it
    said otherwise, nothing chosen without one)."""
    if name != "close":
        return None
    reached = [v for v in ticket.return_visits.all() if v.reached and v.solved is not None]
    if not reached:
        return None
    latest = max(reached, key=lambda v: (v.at, v.pk))
    return {"outcome": Ticket.Outcome.SOLVED if latest.solved else Ticket.Outcome.NOT_SOLVED}


def why_not(ticket: Ticket, user) -> list[str]:
    """Why the work actions a worker looks for (accept, start, resolve) are not offered, when
    the ticket is in a status they start from: the page says so rather than showing nothing."""
    reasons = []
    for name in ("accept", "start", "resolve"):
        if ticket.status not in wf.TRANSITIONS[name].sources:
            continue
        error = wf.refusal(ticket, name, user)
        if error is None:
            continue
        if name == "accept" and error.status == 403:
            reasons.append(
                _(
                    "The front desk accepts and dispatches new tickets; once it is dispatched "
                    "to you, you can start it here."
                )
            )
        elif error.status != 403:
            reasons.append(f"{ACTIONS[name].label}: {error.message}")
    return reasons


def phone_for(request, ticket: Ticket) -> str | None:
    """The reporter's full number when this user may see it, logged (estate/privacy.py): a
    role allowed to unmask, on asking (``?phone=1``); the assigned technician of a running
    ticket, at once, to call with one tap."""
    user = request.user
    assigned = ticket.assignee_id == user.pk and ticket.status in wf.OPEN_OR_HELD
    asked = request.GET.get("phone") == "1" and scoping.can(user, ticket.estate, UNMASK)
    if not (assigned or asked) or not ticket.reporter_phone_enc:
        return None
    privacy.log_unmasked(user=user, obj=ticket, field="reporter_phone", request=request)
    return ticket.reporter_phone


def _page(request, ticket: Ticket, *, failed: tuple[str, object] | None = None, status=200):
    user, estate = request.user, ticket.estate
    dispatch = DispatchChoices(estate)
    actions = []
    for name in wf.allowed_actions(ticket, user):
        if failed and failed[0] == name:
            form = failed[1]
        else:
            form = _make_form(name, dispatch, initial=_initial(name, ticket))
        actions.append({"name": name, "action": ACTIONS[name], "form": form})
    if failed and all(a["name"] != failed[0] for a in actions):
        actions.insert(0, {"name": failed[0], "action": ACTIONS[failed[0]], "form": failed[1]})
    phone = phone_for(request, ticket)
    templates = [
        {
            "title": t.title,
            "text": selectors.reply_template_render(template=t, ticket=ticket),
            "situation": t.situation,
        }
        for t in selectors.reply_templates(estate=estate)
    ]
    # Each phrase goes with the form and field of its situation (a dispatch phrase into the
    # dispatch note ...); greetings and apologies are said, never inserted into a field.
    for a in actions:
        field = PHRASE_FIELDS.get(a["name"])
        phrases = [t for t in templates if t["situation"] in PHRASE_SITUATIONS.get(a["name"], ())]
        a["phrases"] = [(a["form"][field].auto_id, phrases)] if field and phrases else []
    return render(
        request,
        "repairs/ticket.html",
        {
            "ticket": ticket,
            "estate": estate,
            "late": ticket.overdue(timezone.now()),
            "channel": f.CHANNEL_LABELS.get(ticket.channel, ticket.channel),
            "actions": actions,
            "phone": phone,
            "can_unmask": scoping.can(user, estate, UNMASK),
            "history": ticket.history.all(),
            "visits": ticket.return_visits.all(),
            "photos": ticket.photos.all(),
            "templates": templates,
            "refused": failed[1].non_field_errors() if failed else None,
            "why_not": why_not(ticket, user),
            "is_new": request.GET.get("new") == "1",
        },
        status=status,
    )


@login_required
def ticket_detail(request, ticket_id: int):
    """One ticket, whole. ``?phone=1`` shows the full reporter phone to a role allowed to see
    it, and writes the access log."""
    ticket = _ticket_or_404(request, ticket_id)
    if not scoping.can(request.user, ticket.estate, "repairs.ticket.view"):
        return forbidden(request)
    return _page(request, ticket)


def _confirm_page(request, ticket: Ticket, name: str, form, *, status=200):
    """The confirmation step: what will happen, the fields again (and any extra ones), the
    final button, and a way back that changes nothing."""
    action = ACTIONS[name]
    back = safe_next(request, "") or reverse("repairs:ticket_detail", args=[ticket.pk])
    return render(
        request,
        "repairs/confirm.html",
        {
            "ticket": ticket,
            "estate": ticket.estate,
            "name": name,
            "action": action,
            "form": form,
            "next": safe_next(request, ""),
            "back": back,
            "multipart": bool(action.extra),
        },
        status=status,
    )


def _data(form) -> dict:
    data = form.cleaned_data
    return data | {name: data.get(name) or [] for name in ("photos",) if name in form.fields}


@login_required
@require_POST
def ticket_action(request, ticket_id: int, action: str):
    """One transition (or return visit, charge, photo) through its service. A refusal shows
    its message beside the form (on the page it came from, when that was another one).
    Actions that ask for confirmation (cancel, restore, resolve) first answer with the
    confirmation page; only its button (``confirmed=1``) runs the service."""
    ticket = _ticket_or_404(request, ticket_id)
    if action not in ACTIONS:
        raise Http404
    detail = reverse("repairs:ticket_detail", args=[ticket.pk])
    back = safe_next(request, "")
    dispatch = DispatchChoices(ticket.estate)
    confirming = ACTIONS[action].confirm is not None
    error = wf.refusal(ticket, action, request.user) if confirming else None
    if error is not None:  # refused as things stand: no confirmation page to offer
        if back:
            messages.error(request, f"{ticket.number}: {error.message}")
            return redirect(back)
        form = _make_form(action, dispatch, request.POST)
        form.is_valid()
        form.errors.clear()  # only the refusal matters: the form's own checks come later
        f.add_domain_error(form, error, FIELD_MAP)
        return _page(request, ticket, failed=(action, form), status=error.status)
    if confirming and request.POST.get("confirmed") != "1":
        plain = ACTIONS[action].form(prefix=action)
        initial = {n: request.POST.get(plain.add_prefix(n), "") for n in plain.fields}
        form = _make_form(action, dispatch, initial=initial)
        return _confirm_page(request, ticket, action, form)
    form = _make_form(action, dispatch, request.POST, request.FILES)
    if not form.is_valid():
        if confirming:
            return _confirm_page(request, ticket, action, form, status=422)
        if back:
            messages.error(request, _("%(n)s: please check the form.") % {"n": ticket.number})
            return redirect(back)
        return _page(request, ticket, failed=(action, form), status=422)
    data = dispatch.objects(form.cleaned_data) if action == "dispatch" else _data(form)
    try:
        ACTIONS[action].run(ticket, request.user, data)
    except DomainError as exc:
        if confirming:
            f.add_domain_error(form, exc, FIELD_MAP)
            return _confirm_page(request, ticket, action, form, status=exc.status)
        if back:
            messages.error(request, f"{ticket.number}: {exc.message}")
            return redirect(back)
        f.add_domain_error(form, exc, FIELD_MAP)
        return _page(request, ticket, failed=(action, form), status=exc.status)
    messages.success(
        request,
        _("%(number)s: %(action)s — done.")
        % {"number": ticket.number, "action": ACTIONS[action].label},
    )
    return redirect(back or detail)


@login_required
def ticket_photo(request, ticket_id: int, photo_id: int):
    """A ticket's photo, to staff who may see the ticket (photos are not public files)."""
    ticket = _ticket_or_404(request, ticket_id)
    photo = next((p for p in ticket.photos.all() if p.pk == photo_id), None)
    if photo is None or not photo.image:
        raise Http404
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    return FileResponse(photo.image.open("rb"), content_type=kind)
