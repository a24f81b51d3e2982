"""Staff assessment: the pages and API take ``?estate=`` (walked by
tests/estate/test_cross_estate.py) and a person's id (registered here as list filters)."""

from tests.cross_estate import register_filter
from tests.factories import make_staff


def _person(estate):
    user = make_staff(estate, "technician", username=f"yi-tech-{estate.pk}")
    return user.pk, user.username


def _handled(estate):
    from repairs import services
    from tests.repairs.factories import make_ticket

    desk, tech = make_staff(estate, "front_desk"), make_staff(estate, "technician")
    ticket = make_ticket(estate)
    services.ticket_dispatch(ticket=ticket, by=desk, assignee=tech)
    return tech.pk, ticket.number


register_filter("/api/v1/assessment/figures", "user", _person)
register_filter("/api/v1/assessment/records", "user", _handled, query={"figure": "tickets_handled"})
register_filter("assessment:records", "user", _handled, query={"figure": "tickets_handled"})
