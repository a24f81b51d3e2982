from tests.cross_estate import exempt, exempt_filter, register
from tests.factories import make_building, make_unit

register("api:estate_detail", lambda e: {"code": e.code})
register("api:building_detail", lambda e: {"building_id": make_building(e, "9").pk})
register("api:unit_detail", lambda e: {"unit_id": make_unit(e).pk})
exempt("api:token_revoke", "tokens belong to a user, not an estate; tested in test_api_auth")


def _bulletin(estate):
    from estate.models import Bulletin

    return {"bulletin_id": Bulletin.objects.create(estate=estate, period="2026-10").pk}


register("dashboard:bulletin", _bulletin, methods=("GET", "POST"))
register("dashboard:bulletin_pdf", _bulletin)

exempt_filter("/api/v1/kpis/trend", "months", "how many months, a count, not an id")
