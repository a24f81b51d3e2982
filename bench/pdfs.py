"""Receipt PDFs (QUALITY.md): 1,000 receipts of recorded payments in under 15 s, each with
its Chinese font embedded as a subset so that any viewer prints it.

Builds a small database of its own (one estate of 1,000 units with a month's bills, through
bench/billing.py's builder), records the payments, then times 1,000 receipts read from the
database (half A4, half till-roll) as printing runs of 100 (pdf.receipt_pdfs: three queries
a run), then the same receipts one download after another for the ratio. Two of them are checked as a printer would see them:
`pdffonts` must list every font as embedded and subset, and `pdftoppm` must render a page
with ink on it (Debian's poppler-utils).

    .venv/bin/python bench/pdfs.py            # 1,000 receipts
    .venv/bin/python bench/pdfs.py --small    # 50 receipts: a smoke run

Prints one `name: value unit` line per figure, with the load average, and exits 1 when a
target is missed or a font is not embedded.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SMALL = "--small" in sys.argv
os.environ.setdefault(
    "BENCH_DATABASE_URL",
    os.environ.get("BENCH_PDFS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_pdfs"),
)

from bench import billing  # noqa: E402  (reads BENCH_DATABASE_URL)

COUNT = 50 if SMALL else 1000
TARGET_S = 15.0


def _fonts_embedded(data: bytes) -> list[str]:
    """The fonts of one PDF that are not embedded as a subset (empty when all are)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True)
    bad = []
    for line in out.stdout.splitlines()[2:]:
        cols = line.split()
        # name type [type...] encoding emb sub uni object ID: emb and sub are the 5th and
        # 4th columns from the end.
        if len(cols) >= 7 and (cols[-5] != "yes" or cols[-4] != "yes"):
            bad.append(line.strip())
    if not out.stdout.splitlines()[2:]:
        bad.append("no font at all")
    return bad


def _inked(data: bytes) -> bool:
    """Rendered at 50 dpi, the first page has dark pixels (text that printed)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.pdf"
        src.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(src), str(Path(tmp) / "p")],
            check=True,
        )
        page = next(Path(tmp).glob("p*.pgm")).read_bytes()
    pixels = page[page.rindex(b"255\n") + 4 :] if b"255\n" in page else page
    return sum(1 for b in pixels if b < 128) > 100


def main() -> int:
    billing.recreate_database()
    billing.setup_django()
    billing.build(1, max(COUNT, 1000) if not SMALL else 200)
    billing.generate_all()
    elapsed = billing.receipts(COUNT)

    from fees import pdf
    from fees.models import Payment

    # The same receipts one download after another (the payment read, then its receipt), for
    # the ratio to the printing run in the same process.
    ids = list(Payment.objects.order_by("id").values_list("id", flat=True)[:COUNT])
    one_by_one = billing.time_receipts(ids, batch=False)
    print(f"receipts_{COUNT}_pdf_one_by_one: {one_by_one:.1f} s")

    failed = []
    for size in ("a4", "receipt"):
        payment = Payment.objects.select_related("estate", "unit", "created_by", "reversal").first()
        data = pdf.receipt_pdf(payment, size=size)
        bad = _fonts_embedded(data)
        print(f"receipt_{size}_fonts_embedded_subset: {'yes' if not bad else 'NO'}")
        if bad:
            failed.append(f"{size}: fonts not embedded as subset: {bad}")
        inked = _inked(data)
        print(f"receipt_{size}_renders_with_text: {'yes' if inked else 'NO'}")
        if not inked:
            failed.append(f"{size}: the rendered page is blank")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"receipts_{COUNT}_pdf: {elapsed:.1f} s (target < {TARGET_S:.0f} s for 1,000)")
    print(f"load_average: {load}")
    if not SMALL and elapsed >= TARGET_S:
        failed.append(f"{COUNT} receipts took {elapsed:.1f} s")
    for line in failed:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s")
    sys.exit(code)
