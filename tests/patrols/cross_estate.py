"""Every patrol URL with an id, asked for by a user of another estate, answers 404."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from repairs.patrols import services
from tests.cross_estate import register, register_filter
from tests.patrols.factories import make_round
from tests.repairs.factories import at


def _round(estate):
    return {"round_id": make_round(estate).pk}


def _finding(estate):
    round_ = make_round(estate)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    finding = services.finding_record(
        round=round_,
        by=round_.inspector,
        item=round_.checklist.items.first(),
        passed=True,
        photo=SimpleUploadedFile("p.png", buf.getvalue()),
        now=at("2026-10-05 09:30"),
    )
    return {"finding_id": finding.pk}


register("patrols:walk", _round, methods=("GET", "POST"))
register("patrols:finding_photo", _finding)
register("api:patrol_round_detail", _round)
register(
    "api:patrol_round_results",
    _round,
    methods=("POST",),
    data={"results": [{"item": 1, "passed": True}]},
)


# List filters that take an id (tests/estate/test_cross_estate_filters.py)
def _planned(estate):
    from tests.patrols.factories import make_checklist

    round_ = make_round(estate, checklist=make_checklist(estate, name="乙巡查单"))
    return round_


def _failed(estate):
    round_ = _planned(estate)
    item = round_.checklist.items.first()
    services.finding_record(
        round=round_,
        by=round_.inspector,
        item=item,
        passed=False,
        note="乙楼道问题",
        now=at("2026-10-05 09:30"),
    )
    return item.pk, "乙楼道问题"


register_filter(
    "/api/v1/patrol-rounds", "inspector", lambda e: (_planned(e).inspector_id, "乙巡查单")
)
register_filter(
    "/api/v1/patrol-rounds", "checklist", lambda e: (_planned(e).checklist_id, "乙巡查单")
)
register_filter("patrols:findings", "item", _failed, query={"month": "2026-10"})
