"""The Vietnamese catalogue: complete, consistent with the code, and compiled on start."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import TRANSLATIONS_DIR, compile_missing_catalogs

ROOT = Path(__file__).resolve().parents[2]
VI_PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
HOW_TO_UPDATE = (
    "update the catalogue: pybabel extract -F babel.cfg -k _l -k N_ -k t --no-location --sort-output "
    "-o web/translations/messages.pot web engine adapters && pybabel update -i web/translations/messages.pot "
    "-d web/translations --ignore-obsolete && translate the new entries in web/translations/vi/LC_MESSAGES/messages.po"
)


def vietnamese() -> dict[str, str]:
    with VI_PO.open("rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    return {m.id: m.string for m in catalog if m.id}


def source_msgids() -> set[str]:
    """Every message marked in `web/`, `engine/` and `adapters/`, extracted as `pybabel extract` does."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
                "t": None}  # report writers get gettext as `t`
    found = set()
    for folder in ("web", "engine", "adapters"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map, keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_vietnamese_translation() -> None:
    untranslated = sorted(msgid for msgid, text in vietnamese().items() if not (text or "").strip())
    assert untranslated == [], f"English would leak to Vietnamese users; translate: {untranslated}"


def test_every_message_in_the_code_is_in_the_catalogue() -> None:
    missing = sorted(source_msgids() - set(vietnamese()))
    assert missing == [], f"{len(missing)} new messages are not in the catalogue ({HOW_TO_UPDATE}): {missing}"


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"%\(\w+\)s")
    wrong = {msgid: text for msgid, text in vietnamese().items()
             if text and sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(text))}
    assert wrong == {}


def test_missing_compiled_catalogues_are_built_at_start(tmp_path: Path) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))

    written = compile_missing_catalogs(copy)

    assert sorted(p.relative_to(copy).as_posix() for p in written) == [
        "en/LC_MESSAGES/messages.mo", "vi/LC_MESSAGES/messages.mo"]
    assert compile_missing_catalogs(copy) == []  # fresh: nothing to do the second time
