"""What the fees API modules share: money as decimal strings, the PDF answer and its OpenAPI
description, the estate query parameter."""

from decimal import Decimal

from ninja import Schema
from pydantic import Field

from estate.schemas import EstateCode, PageParams

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class EstateQuery(PageParams):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")


class EstateOnly(Schema):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
