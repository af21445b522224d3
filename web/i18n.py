"""Translations: English msgids, a Vietnamese catalogue, Vietnamese by default.

The user switches language with `?lang=en` / `?lang=vi` on any page (the header's
link); the choice is kept in the session. The `.mo` files are build products
(gitignored), so `compile_missing_catalogs` builds them at start-up when absent: a
fresh clone and the test suite work without running `pybabel compile` first.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("vi", "en")
DEFAULT_LOCALE = "vi"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

babel = Babel()


def select_locale() -> str:
    """The session's choice, else Vietnamese: our users read Vietnamese first."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LOCALE


def remember_language_choice() -> None:
    """Store `?lang=xx` in the session before the view renders in that language."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


def compile_missing_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every `messages.po` whose `.mo` is missing or older; return what was written.

    Fuzzy entries are compiled too (like `pybabel compile -f`), so a half-reviewed
    translation still beats English for a Vietnamese reader.
    """
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)
        tmp_path.replace(mo_path)  # atomic: a parallel worker never reads half a file
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    compile_missing_catalogs()
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_language_choice)


def cli_translations(lang: str = DEFAULT_LOCALE) -> Translations:
    """The catalogue outside a request (the CLI): the same `.mo` the pages use, built
    first if missing, so a terminal reads the same Vietnamese as the web."""
    compile_missing_catalogs()
    return Translations.load(str(TRANSLATIONS_DIR), [lang])


def cli_gettext(msgid: str, **params: object) -> str:
    """A msgid in Vietnamese for the terminal, with its `%(name)s` parameters filled."""
    text = cli_translations().gettext(msgid)
    return text % params if params else text
