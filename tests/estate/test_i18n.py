"""Chinese is the default UI language: every translatable string of every app has a Chinese
translation, and the committed .mo matches the .po (so no gettext is needed to run)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["estate", "residents", "repairs", "fees", "renovation", "community"]


def _catalogue(app: str) -> Path:
    return ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext's xgettext")
@pytest.mark.parametrize("app", APPS)
def test_every_string_has_a_chinese_translation(app, tmp_path):
    copy = tmp_path / app
    shutil.copytree(
        ROOT / app, copy, ignore=shutil.ignore_patterns("locale", "migrations", "__pycache__")
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "-v",
            "0",
            "-i",
            "testing.py",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    wanted = {e.msgid for e in polib.pofile(str(extracted))} if extracted.exists() else set()
    if not wanted:
        return
    translated = set()
    # The app's catalogue and those of its sub-apps (community/facilities/locale ...).
    for path in (ROOT / app).glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        translated |= {
            e.msgid
            for e in polib.pofile(str(path))
            if (e.msgstr or any(e.msgstr_plural.values()))
            and "fuzzy" not in e.flags
            and not e.obsolete
        }
    missing = sorted(wanted - translated)
    assert not missing, f"{app}: untranslated (run `make messages`, then translate): {missing}"


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_matches(app):
    po_path = _catalogue(app)
    if not po_path.exists():
        pytest.skip(f"{app} has no strings yet")
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    want = {e.msgid: e.msgstr for e in po.translated_entries()}
    have = {e.msgid: e.msgstr for e in mo if e.msgid}
    assert want == have, f"{app}: django.mo is stale; run compilemessages"
