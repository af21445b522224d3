"""A task's words, stored for the database to search: as written (lowercased) and folded.

Both strings are the words alone, one space apart, with a space at each end, so that a
whole word is found as `% word %` and never inside another ("hoa" is not in "hoạch").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from engine.text_folding import fold

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of `text`, lowercased, diacritics kept (composed, as people type them)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def search_texts(parts: Iterable[str]) -> tuple[str, str]:
    """(`search_text`, `search_folded`) of a task from its fields, units and plan."""
    plain = " " + " ".join(words(" ".join(p for p in parts if p))) + " "
    return plain, fold(plain)
