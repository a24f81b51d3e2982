"""The fees API router, mounted under /api/v1/ by estate.api: fee items and bills, payments and
receipts, arrears and statements, one module each. Thin: schemas in, a service or selector
call, schemas out."""

from ninja import Router

from fees.api import allocations, arrears, bills, payments

router = Router(tags=["fees"])
router.add_router("", bills.router)
router.add_router("", payments.router)
router.add_router("", arrears.router)
router.add_router("", allocations.router)
