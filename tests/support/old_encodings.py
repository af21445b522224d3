"""Text as older Vietnamese software saved it, for tests of the readers."""
from __future__ import annotations

import unicodedata

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # the marks cp1258 writes after their letter


def cp1258(text: str) -> bytes:
    """`text` as Vietnamese Windows saved it: a letter with its vowel mark (ê, ơ, ư, â, ă)
    is one byte, its tone a combining byte after it."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")
