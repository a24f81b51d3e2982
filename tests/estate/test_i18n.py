"""Chinese is the default UI language: every translatable string of every app has a Chinese
translation, and the committed .mo matches the .po (so no gettext is needed to run)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
# Every app of this project (not Django's nor a library's), sub-apps included, so a new app is
# checked without anyone remembering to add it here.
APPS = sorted(
    str(Path(config.path).relative_to(ROOT))
    for config in apps.get_app_configs()
    if Path(config.path).resolve().is_relative_to(ROOT)
    # a virtualenv inside the checkout holds libraries, not our apps
    and not {".venv", "site-packages"} & set(Path(config.path).relative_to(ROOT).parts)
)


def _catalogue(app: str) -> Path:
    """The app's own catalogue, or its parent app's (a sub-app may share it)."""
    path = ROOT / app
    while True:
        po = path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if po.exists() or path.parent == ROOT:
            return po
        path = path.parent


def test_every_project_app_is_checked():
    assert {"estate", "residents", "repairs", "fees"} <= set(APPS)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext's xgettext")
@pytest.mark.parametrize("app", APPS)
def test_every_string_has_a_chinese_translation(app, tmp_path):
    copy = tmp_path / app
    # A sub-app with its own catalogue is checked on its own, not as part of its parent.
    own = {
        ROOT / other
        for other in APPS
        if other.startswith(f"{app}/") and (ROOT / other / "locale").is_dir()
    }
    plain = shutil.ignore_patterns("locale", "migrations", "__pycache__")

    def ignore(folder, names):
        return set(plain(folder, names)) | {n for n in names if Path(folder) / n in own}

    shutil.copytree(ROOT / app, copy, ignore=ignore)
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
    # Every app has at least its verbose_name: nothing found means the extraction is broken,
    # not that the app is translated.
    assert wanted, f"{app}: no translatable string found (is {app}/apps.py's name translated?)"
    assert _catalogue(app).exists(), f"{app}: no Chinese catalogue; run `make messages`"
    committed = polib.pofile(str(_catalogue(app)))
    translated = {
        e.msgid
        for e in committed
        if (e.msgstr or any(e.msgstr_plural.values())) and "fuzzy" not in e.flags and not e.obsolete
    }
    missing = sorted(wanted - translated)
    assert not missing, f"{app}: untranslated (run `make messages`, then translate): {missing}"


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_matches(app):
    po_path = _catalogue(app)
    assert po_path.exists(), f"{app}: no Chinese catalogue; run `make messages`"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    want = {e.msgid: e.msgstr for e in po.translated_entries()}
    have = {e.msgid: e.msgstr for e in mo if e.msgid}
    assert want == have, f"{app}: django.mo is stale; run compilemessages"
