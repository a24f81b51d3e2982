"""Text follows the user's text size: no font size in px in any stylesheet or template (the
browser checks of that at 200% text are in tests/estate/test_a11y.py)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["estate", "residents", "repairs", "fees", "renovation", "community"]
PX_FONT = re.compile(r"font(-size)?\s*:[^;}\"]*\b\d+(\.\d+)?px", re.I)


def test_no_font_size_in_px():
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in (".css", ".html") or "static/estate/htmx" in str(path):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PX_FONT.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)
