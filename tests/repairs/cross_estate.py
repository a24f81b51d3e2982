"""Every repairs URL with an id, asked for by a user of another estate, answers 404."""

from repairs.models import ReplyTemplate
from tests.cross_estate import register, register_filter
from tests.repairs.factories import make_category, make_ticket


def _ticket(estate):
    return {"ticket_id": make_ticket(estate).pk}


def _cancelled(estate):
    """A ticket only a restore applies to (so a 404 is the scoping, not the status)."""
    from repairs import services
    from tests.factories import make_staff

    ticket = make_ticket(estate)
    services.ticket_cancel(ticket=ticket, by=make_staff(estate, "front_desk"), reason="invalid")
    return {"ticket_id": ticket.pk}


def _resolved(estate):
    """A resolved ticket: a visit that reopens it would be allowed in its own estate."""
    from repairs import services
    from tests.factories import make_staff

    desk = make_staff(estate, "front_desk")
    ticket = make_ticket(estate)
    services.ticket_accept(ticket=ticket, by=desk)
    services.ticket_resolve(ticket=ticket, by=desk, note="修好了")
    return {"ticket_id": ticket.pk}


def _template(estate):
    t = ReplyTemplate.objects.create(estate=estate, situation="greeting", title="问候", text="您好")
    return {"template_id": t.pk}


register("api:ticket_detail", _ticket)
register("api:ticket_reporter_phone", _ticket)
register("api:ticket_history", _ticket)
register("api:ticket_photo_add", _ticket, methods=("POST",))
for _action in ("accept", "start", "resume"):
    register(f"api:ticket_{_action}", _ticket, methods=("POST",), data={"note": ""})
register("api:ticket_resolve", _ticket, methods=("POST",), data={"note": "修好了"})
register("api:ticket_dispatch", _ticket, methods=("POST",), data={"department": 1})
register("api:ticket_hold", _ticket, methods=("POST",), data={"reason": "x"})
register("api:ticket_reopen", _ticket, methods=("POST",), data={"reason": "x"})
register("api:ticket_restore", _cancelled, methods=("POST",), data={"reason": "x"})
register("api:ticket_close", _ticket, methods=("POST",), data={"outcome": "solved"})
register("api:ticket_cancel", _ticket, methods=("POST",), data={"reason": "duplicate"})
register("api:ticket_charge", _ticket, methods=("POST",), data={"amount": "10.00"})
# A resolved ticket and a visit that reopens it: what its own estate's staff could do.
register(
    "api:ticket_return_visit",
    _resolved,
    methods=("POST",),
    data={"reached": True, "solved": False, "reopen": True},
)
register(
    "api:category_update",
    lambda e: {"category_id": make_category(e).pk},
    methods=("PUT",),
    data={
        "estate": "XA01",
        "code": "x",
        "kind": "repair",
        "name": "x",
        "minutes": {
            f"{w}_minutes_{p}": 60
            for w in ("response", "resolve")
            for p in ("normal", "urgent", "emergency")
        },
    },
)
register(
    "api:reply_template_update",
    _template,
    methods=("PUT", "DELETE"),
    data={"estate": "XA01", "situation": "greeting", "title": "x", "text": "x"},
)
register("api:reply_template_delete", _template, methods=("DELETE",))
register("api:reply_template_render", _template)


# Staff pages (repairs/urls.py) -----------------------------------------------------------------
def _ticket_with_photo(estate):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, format="PNG")
    ticket = make_ticket(estate, photos=[SimpleUploadedFile("p.png", buf.getvalue())])
    return {"ticket_id": ticket.pk, "photo_id": ticket.photos.get().pk}


register("repairs:ticket_detail", _ticket)
register(
    "repairs:ticket_action",
    lambda e: _ticket(e) | {"action": "accept"},
    methods=("POST",),
    data={"accept-note": ""},
)
register("repairs:ticket_photo", _ticket_with_photo)
register(
    "repairs:category_edit",
    lambda e: {"category_id": make_category(e).pk},
    methods=("GET", "POST"),
)
register("repairs:template_edit", _template, methods=("GET", "POST"))
register("repairs:template_delete", _template, methods=("POST",))


# List filters that take an id (tests/estate/test_cross_estate_filters.py)
def _assigned(estate):
    from repairs import services
    from tests.factories import make_staff

    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    ticket = make_ticket(estate)
    services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
    return tech.pk, ticket.number


def _categorised(estate):
    ticket = make_ticket(estate)
    return ticket.category_id, ticket.number


def _unit(estate):
    from tests.factories import make_unit

    unit = make_unit(estate, "9-9-905")
    return unit.pk, 'value="9-9-905"'


def _resident(estate):
    from tests.residents.factories import make_resident

    return make_resident(estate, name="乙某某人").pk, "乙某某人"


def _created(estate):
    ticket = make_ticket(estate)
    return ticket.pk, ticket.number


register_filter("/api/v1/tickets", "assignee", _assigned)
register_filter("/api/v1/tickets", "category", _categorised)
register_filter("repairs:queue", "assignee", _assigned)
register_filter("repairs:queue", "category", _categorised)
register_filter(
    "/api/v1/ticket-deadlines",
    "category",
    lambda e: (make_category(e).pk, "resolve_due_at"),
    query={"priority": "normal"},
)
register_filter(
    "repairs:desk_deadlines",
    "category",
    lambda e: (make_category(e).pk, 'id="resolve-due"'),
    query={"priority": "normal"},
)
register_filter("repairs:desk_pick", "unit", _unit)
register_filter("repairs:desk_pick", "resident", _resident)
register_filter("repairs:desk", "created", _created)
