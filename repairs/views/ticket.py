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
        f.NoteForm,
        lambda t, by, d: services.ticket_resolve(ticket=t, by=by, note=d["note"]),
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
        gettext_lazy("Cancel"),
        f.CancelForm,
        lambda t, by, d: services.ticket_cancel(
            ticket=t, by=by, reason=d["reason"], note=d["note"]
        ),
        secondary=True,
    ),
}
# Where a service's field shows on the action's form.
FIELD_MAP = {"department": "department", "photos": "photo", "assignee": "assignee"}


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


def _make_form(name: str, dispatch: DispatchChoices, data=None, files=None):
    if name == "dispatch":
        return dispatch.form(data, files, prefix=name)
    return ACTIONS[name].form(data, files, prefix=name)


def _page(request, ticket: Ticket, *, failed: tuple[str, object] | None = None, status=200):
    user, estate = request.user, ticket.estate
    dispatch = DispatchChoices(estate)
    actions = []
    for name in wf.allowed_actions(ticket, user):
        form = failed[1] if failed and failed[0] == name else _make_form(name, dispatch)
        actions.append({"name": name, "action": ACTIONS[name], "form": form})
    if failed and all(a["name"] != failed[0] for a in actions):
        actions.insert(0, {"name": failed[0], "action": ACTIONS[failed[0]], "form": failed[1]})
    phone = None
    if request.GET.get("phone") == "1" and scoping.can(user, estate, UNMASK):
        phone = ticket.reporter_phone
        privacy.log_unmasked(user=user, obj=ticket, field="reporter_phone", request=request)
    templates = [
        {"title": t.title, "text": selectors.reply_template_render(template=t, ticket=ticket)}
        for t in selectors.reply_templates(estate=estate)
    ]
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


@login_required
@require_POST
def ticket_action(request, ticket_id: int, action: str):
    """One transition (or return visit, charge, photo) through its service. A refusal shows
    its message beside the form (on the page it came from, when that was another one)."""
    ticket = _ticket_or_404(request, ticket_id)
    if action not in ACTIONS:
        raise Http404
    detail = reverse("repairs:ticket_detail", args=[ticket.pk])
    back = safe_next(request, "")
    dispatch = DispatchChoices(ticket.estate)
    form = _make_form(action, dispatch, request.POST, request.FILES)
    if not form.is_valid():
        if back:
            messages.error(request, _("%(n)s: please check the form.") % {"n": ticket.number})
            return redirect(back)
        return _page(request, ticket, failed=(action, form), status=422)
    data = dispatch.objects(form.cleaned_data) if action == "dispatch" else form.cleaned_data
    try:
        ACTIONS[action].run(ticket, request.user, data)
    except DomainError as exc:
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
