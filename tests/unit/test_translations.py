"""The Japanese catalog is complete: every string the code asks Qt to translate has a finished
Japanese translation, nothing in the catalog is stale, placeholders survive translation, and the
compiled .qm is the .ts as committed. (After changing UI strings, run
resources/translations/fill_ja.py.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
TOOLS = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"%\d|%n|\{[a-z_]+")  # names only: '{m:02d}' may become '{m}'

LATIN_UNIT = re.compile(r"\d\s*[hm]\b|\{[a-z]\}[hmd]\b")


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.findall("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def translation_text(message: ET.Element) -> str:
    translation = message.find("translation")
    assert translation is not None
    forms = [f.text or "" for f in translation.findall("numerusform")]
    return " ".join(forms) if forms else translation.text or ""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed catalog after pyside6-lupdate read every module of trayapp/."""
    lupdate = shutil.which("pyside6-lupdate", path=str(TOOLS)) or shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate comes with PySide6 (pip install -e '.[test]')"
    target = tmp_path_factory.mktemp("ts") / "ippo_ja.ts"
    shutil.copy(TRANSLATIONS / "ippo_ja.ts", target)
    sources = sorted(str(p) for p in (ROOT / "trayapp").rglob("*.py"))
    subprocess.run(
        [lupdate, "-locations", "none", *sources, "-ts", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def test_every_string_in_the_code_has_a_finished_japanese_translation(extracted: Path) -> None:
    problems = []
    for (context, source), message in messages(extracted).items():
        translation = message.find("translation")
        assert translation is not None
        state = translation.get("type")  # unfinished, vanished, obsolete
        if state or not translation_text(message).strip():
            problems.append(f"[{context}] {source!r}: {state or 'empty'}")
    assert not problems, "run resources/translations/fill_ja.py:\n" + "\n".join(problems)


def test_the_catalog_holds_exactly_what_the_code_uses(extracted: Path) -> None:
    committed = set(messages(TRANSLATIONS / "ippo_ja.ts"))
    used = {
        key
        for key, message in messages(extracted).items()
        if message.findtext("translation[@type='vanished']") is None
        and message.findtext("translation[@type='obsolete']") is None
    }
    assert used - committed == set(), "strings missing from the catalog"
    assert committed - used == set(), "strings the code no longer uses"


def test_placeholders_survive_and_japanese_says_its_units_in_japanese() -> None:
    for (context, source), message in messages(TRANSLATIONS / "ippo_ja.ts").items():
        text = translation_text(message)
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
            context,
            source,
            text,
        )
        assert not LATIN_UNIT.search(text), (context, source, text)  # no '6h超過'
        assert not re.search(r"\d\.\d", text), (context, source, text)  # no decimals


def test_the_compiled_catalog_is_the_committed_one(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease", path=str(TOOLS)) or shutil.which("pyside6-lrelease")
    assert lrelease
    compiled = tmp_path / "ippo_ja.qm"
    subprocess.run(
        [lrelease, str(TRANSLATIONS / "ippo_ja.ts"), "-qm", str(compiled)],
        check=True,
        capture_output=True,
    )
    assert compiled.read_bytes() == (TRANSLATIONS / "ippo_ja.qm").read_bytes()
