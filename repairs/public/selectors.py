"""Reads behind the residents' public pages: a ticket by its tracking code, its history in
plain words, a phone's own requests."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from estate.fixedsql import FixedSelect
from estate.models import Estate
from repairs.models import Category, PendingPhoto, Ticket
from repairs.photos import pending_token_valid

# ``selectors.categories(estate=, for_residents=True)``, its SQL written once per process: the
# report form reads it on every GET and POST.
_REPORT_CATEGORIES = FixedSelect(
    Category,
    "{estate_id} = %s AND NOT ({kind} = %s) AND {active}",
    order_by=("kind", "sort", "code"),
)


def report_categories(*, estate: Estate) -> list[Category]:
    """The active categories a resident may report under (no internal rectification ones),
    in display order."""
    return _REPORT_CATEGORIES.all(estate.pk, Ticket.Kind.RECTIFICATION.value)


def public_ticket(*, estate: Estate, tracking_code: str):
    """The ticket behind a tracking link. A wrong, malformed or other estate's code is the same
    404 (no hint that a code exists elsewhere)."""
    if not tracking_code or len(tracking_code) > 64:
        raise Http404
    ticket = (
        Ticket.objects.select_related("category", "assignee", "unit")
        .filter(estate=estate, tracking_code=tracking_code)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


_PLAIN_WORDS = {
    "created": gettext_lazy("We received your request."),
    "accepted": gettext_lazy("The service centre accepted it."),
    "dispatched": gettext_lazy("A technician has been assigned and is on the way."),
    "started": gettext_lazy("Work has started."),
    "held": gettext_lazy("Paused until it suits you (for example, access to your home)."),
    "resumed": gettext_lazy("Work has resumed."),
    "resolved": gettext_lazy("Done. Please tell us how it went."),
    "closed": gettext_lazy("Closed after our follow-up call."),
    "reopened": gettext_lazy("Reopened: we are on it again."),
    "cancelled": gettext_lazy("Cancelled (a duplicate or not a request)."),
    "rated": gettext_lazy("You rated the service."),
    "return_visit": gettext_lazy("We called you back."),
}


def public_timeline(ticket) -> list[dict]:
    """The history in plain words; staff notes stay internal and staff show by first name."""
    rows = []
    for event in ticket.history.select_related("by").order_by("at", "id"):
        words = _PLAIN_WORDS.get(event.kind)
        if words is None:
            continue
        who = ""
        if event.kind == "dispatched" and ticket.assignee_id and ticket.assignee.first_name:
            who = ticket.assignee.first_name
        rows.append({"at": event.at, "kind": event.kind, "words": words, "who": who})
    return rows


def tickets_for_phone(*, estate: Estate, phone_index: str, limit: int = 50):
    """A resident's own requests in this estate, found by the keyed hash of the phone."""
    return (
        Ticket.objects.filter(estate=estate, reporter_phone_index=phone_index)
        .select_related("category")
        .order_by("-reported_at")[:limit]
    )


def pending_photos(*, estate: Estate, token: str, now=None) -> list[PendingPhoto]:
    """The photos still kept under a report form's token (none once expired or malformed)."""
    if not pending_token_valid(token):
        return []
    now = now or timezone.now()
    return list(
        PendingPhoto.objects.filter(estate=estate, token=token, expires_at__gt=now).order_by("id")
    )
