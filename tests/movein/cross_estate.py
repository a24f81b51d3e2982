"""Every move-in URL with an id or an estate code, asked for by a user of another estate,
answers 404 (tests/estate/test_cross_estate.py)."""

from residents.movein import services
from residents.movein.models import HandoverItem
from tests.cross_estate import exempt, register
from tests.movein.factories import book


def _handover(estate):
    return {"handover_id": book(estate).pk}


def _started(estate):
    return {"handover_id": services.handover_start(handover=book(estate)).pk}


def _item(estate):
    handover = services.handover_start(handover=book(estate))
    item = HandoverItem.objects.filter(handover=handover, code="documents").get()
    return {"handover_id": handover.pk, "item_id": item.pk}


# Pages (residents/movein/urls.py)
register("movein:handover", _handover)
register("movein:acknowledgement_pdf", _handover)
register("movein:item", _item, methods=("POST",))
register("movein:defect_add", _started, methods=("POST",), data={"description": "x"})
register("movein:rate", _started, methods=("POST",), data={"rating": 5})
register("movein:action", lambda e: _handover(e) | {"action": "start"}, methods=("POST",))

# API (residents/movein/api.py)
register("api:handover_detail", _handover)
register("api:handover_pdf", _handover)
register("api:handover_start", _handover, methods=("POST",))
register("api:handover_complete", _started, methods=("POST",))
register("api:handover_cancel", _handover, methods=("POST",))
register("api:handover_item_update", _item, methods=("POST",), data={"done": True})
register("api:handover_defect_add", _started, methods=("POST",), data={"description": "x"})
register("api:handover_rate", _started, methods=("POST",), data={"rating": 5})

exempt(
    "public:handover_rate",
    "the owner's public rating link (no login), keyed by the estate code and an unguessable "
    "token; another estate's token gives the same 404 "
    "(tests/movein/test_views.py::test_public_rating_link_of_another_estate_is_404)",
)
