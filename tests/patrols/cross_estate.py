"""Every patrol URL with an id, asked for by a user of another estate, answers 404."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from repairs.patrols import services
from tests.cross_estate import register
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
