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


# TCVN3 ("ABC"): one byte a Vietnamese letter; uppercase letters with a tone were written
# in the capitals' font (.VnTimeH) with the lowercase bytes.
_TCVN3_LOWER = dict(zip(
    "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ",
    bytes.fromhex("b5b6b7b8b9a8bbbcbdbec6a9c7c8c9cacbaecccecfd0d1aad2d3d4d5d6d7d8dcddde"
                  "dfe1e2e3e4abe5e6e7e8e9aceaebecedeeeff1f2f3f4adf5f6f7f8f9fafbfcfdfe")))
_TCVN3_UPPER = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def tcvn3(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        code = _TCVN3_UPPER.get(ch) or _TCVN3_LOWER.get(ch.lower())
        out += bytes([code]) if code else ch.encode("ascii")
    return bytes(out)
