"""The repairs API router, mounted under /api/v1/ by estate.api."""

from ninja import Router

router = Router(tags=["repairs"])
