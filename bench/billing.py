"""Bill generation and receipt PDFs at the scale of QUALITY.md, on PostgreSQL.

Builds its own database (BENCH_DATABASE_URL, default ed_bench_billing on the local server):
100 estates of 1,500 units (150,000 units), a property fee per m² for every unit and parking
for one unit in five. Then it times

- the month's bill generation for every estate (target < 60 s),
- the same run again, which must create 0 bills (target < 10 s),
- 1,000 receipt PDFs of recorded payments, read from the database (target < 15 s).

Prints one `name: value unit` line per figure and exits 1 when a target is missed.
Usage: .venv/bin/python bench/billing.py [--estates 100] [--units 1500] [--receipts 1000]
       .venv/bin/python bench/billing.py --small    # a smoke run
"""

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import _db  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_billing")
PERIOD = "2026-10"
RUN = 100  # receipts per printing run (pdf.receipt_pdfs)
TARGETS = {"generate": 60.0, "rerun": 10.0, "receipts": 15.0}


def recreate_database() -> None:
    _db.recreate_database(DB_URL)


def setup_django() -> None:
    _db.setup_django(
        DATABASE_URL=DB_URL,
        DJANGO_SETTINGS_MODULE="estate.settings",
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="bench-secret-key-" + "b" * 40,
        HUEY_NAME="estatedesk-bench-billing",
        LOG_LEVEL="WARNING",
    )


def build(estates: int, units: int) -> None:
    from estate.models import Building, Estate, Membership, Unit
    from fees.models import FeeAssignment, FeeItem, FeePrice

    made = Estate.objects.bulk_create(
        [Estate(code=f"B{i:03d}", name=f"压测小区{i}") for i in range(estates)]
    )
    per_building = 150
    Building.objects.bulk_create(
        [
            Building(estate=e, number=str(b + 1))
            for e in made
            for b in range(-(-units // per_building))
        ]
    )
    buildings = {(b.estate_id, b.number): b for b in Building.objects.all()}
    rows = []
    for e in made:
        for i in range(units):
            b = buildings[(e.pk, str(i // per_building + 1))]
            area = Decimal(60 + i % 90) + Decimal(i % 100) / 100
            rows.append(Unit(estate=e, building=b, number=f"{b.number}-1-{i:04d}", floor_area=area))
    Unit.objects.bulk_create(rows, batch_size=10000)
    items = FeeItem.objects.bulk_create(
        [
            FeeItem(estate=e, code=code, name=name, basis=basis)
            for e in made
            for code, name, basis in (
                ("PM", "物业服务费", FeeItem.Basis.PER_AREA),
                ("PARK", "车位管理费", FeeItem.Basis.PER_SPACE),
            )
        ]
    )
    FeePrice.objects.bulk_create(
        [
            FeePrice(
                estate_id=item.estate_id,
                fee_item=item,
                price=Decimal("2.35") if item.code == "PM" else Decimal("300"),
                valid_from=dt.date(2020, 1, 1),
            )
            for item in items
        ]
    )
    park = {item.estate_id: item for item in items if item.code == "PARK"}
    FeeAssignment.objects.bulk_create(
        [
            FeeAssignment(
                estate_id=estate_id,
                unit_id=unit_id,
                fee_item=park[estate_id],
                starts_on=dt.date(2026, 1, 1),
            )
            for unit_id, estate_id in Unit.objects.values_list("id", "estate_id")
            if unit_id % 5 == 0
        ],
        batch_size=10000,
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench-finance", password="x", first_name="财务")
    Membership.objects.create(user=user, estate=made[0], role="finance")


def generate_all() -> tuple[float, int]:
    from estate.models import Estate
    from fees import services

    started = time.perf_counter()
    created = 0
    for estate in Estate.objects.order_by("code"):
        created += services.bills_generate(estate=estate, period_label=PERIOD)
    return time.perf_counter() - started, created


def receipts(count: int) -> float:
    import uuid

    from django.contrib.auth import get_user_model

    from estate.models import Unit
    from fees import services
    from fees.models import Payment

    user = get_user_model().objects.get(username="bench-finance")
    units = list(
        Unit.objects.filter(estate__code="B000").select_related("estate").order_by("id")[:count]
    )
    for i in range(count):
        unit = units[i % len(units)]
        services.payment_record(
            unit=unit,
            amount=Decimal("100.00") + Decimal(i % 500),
            method="wechat",
            payer="张三",
            idempotency_key=uuid.uuid4().hex,
            by=user,
        )
    ids = list(Payment.objects.order_by("id").values_list("id", flat=True)[:count])
    return time_receipts(ids, batch=True)


def time_receipts(ids: list[int], *, batch: bool) -> float:
    """Receipts of ``ids``, A4 for odd ids and 80 mm for even ones: a printing run
    (pdf.receipt_pdfs, RUN receipts at a time) or one download after another (the payment
    read, then pdf.receipt_pdf). Prints the mean size and this process's CPU."""
    from fees import pdf
    from fees.models import Payment

    label = "" if batch else "_one_by_one"
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    if batch:
        for start in range(0, len(ids), RUN):
            chunk = ids[start : start + RUN]
            for paper, part in (("a4", chunk[1::2]), ("receipt", chunk[::2])):
                size += sum(len(content) for content in pdf.receipt_pdfs(part, size=paper).values())
    else:
        for payment_id in ids:
            payment = Payment.objects.select_related(
                "estate", "unit", "created_by", "reversal"
            ).get(pk=payment_id)
            size += len(pdf.receipt_pdf(payment, size="a4" if payment_id % 2 else "receipt"))
    elapsed = time.perf_counter() - started
    print(f"billing_receipt_pdf{label}_mean_size: {size / len(ids) / 1024:.1f} KiB")
    print(
        f"billing_receipts{label}_{len(ids)}_pdf_cpu: {time.process_time() - cpu:.1f} s (this process)"
    )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estates", type=int, default=100)
    parser.add_argument("--units", type=int, default=1500, help="units per estate")
    parser.add_argument("--receipts", type=int, default=1000)
    parser.add_argument(
        "--small", action="store_true", help="3 estates of 100 units, 20 receipts: a smoke run"
    )
    args = parser.parse_args()
    if args.small:
        args.estates, args.units, args.receipts = 3, 100, 20

    recreate_database()
    setup_django()
    started = time.perf_counter()
    build(args.estates, args.units)
    total_units = args.estates * args.units
    print(f"billing_setup: {time.perf_counter() - started:.1f} s")

    generate, created = generate_all()
    rerun, recreated = generate_all()
    receipt_time = receipts(args.receipts)

    print(
        f"billing_load_average_1min: {os.getloadavg()[0]:.1f} (2 cores; other work on the machine)"
    )
    print(f"billing_units: {total_units} units")
    print(f"billing_generate_{total_units}_units: {generate:.1f} s")
    print(f"billing_bills_created: {created} bills")
    print(f"billing_rerun: {rerun:.1f} s")
    print(f"billing_rerun_created: {recreated} bills")
    print(f"billing_receipts_{args.receipts}_pdf: {receipt_time:.1f} s")

    failed = []
    if generate >= TARGETS["generate"]:
        failed.append(f"generation took {generate:.1f} s (target < 60 s)")
    if rerun >= TARGETS["rerun"] or recreated != 0:
        failed.append(f"rerun took {rerun:.1f} s and created {recreated} (target < 10 s, 0)")
    if receipt_time >= TARGETS["receipts"]:
        failed.append(f"receipts took {receipt_time:.1f} s (target < 15 s)")
    if created < total_units:
        failed.append(f"only {created} bills for {total_units} units")
    for line in failed:
        print(f"MISSED: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
