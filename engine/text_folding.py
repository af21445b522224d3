"""How the project compares Vietnamese text: one folding, plus the repairs OCR needs.

`fold` is the one folding function: two spellings that differ only in case or
diacritics fold to the same string. `ocr_fold` adds the repairs a scan needs
(`Đ` read as `P`, `ô` read as `6`, stray symbols) and `match_key` reduces a text to
its words, for fuzzy matching.
"""
from __future__ import annotations

import re
import unicodedata

# Symbols OCR leaves where a letter was (c with cedilla read as a cent sign, ...).
_OCR_SYMBOLS = str.maketrans({"¢": "c", "€": "e", "©": "c", "®": "r", "$": "s", "|": " ", "ı": "i"})
# A single digit inside a word is a letter OCR misread: "T6 chức", "N6i dung", "x4".
_OCR_DIGITS = str.maketrans({"0": "o", "1": "i", "3": "a", "4": "a", "6": "o"})
_WORD_WITH_ONE_DIGIT = re.compile(r"\b(?=[a-z]*\d[a-z]*\b)(?=\w*[a-z])[a-z]*[01346][a-z]*\b")
# Vietnamese words never start with a bare "p" (only "ph"): a scan's "P" is a "Đ".
_OCR_P_FOR_D = re.compile(r"\bp(?=[^h\W])")
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase, without diacritics, with đ as d: the project's one way to compare text."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def ocr_fold(text: str) -> str:
    """`fold`, then undo the usual OCR damage; punctuation is kept."""
    folded = fold(text.translate(_OCR_SYMBOLS))
    folded = _WORD_WITH_ONE_DIGIT.sub(lambda m: m.group(0).translate(_OCR_DIGITS), folded)
    return squash(_OCR_P_FOR_D.sub("d", folded))


def match_key(text: str) -> str:
    """The words of `text`, OCR-repaired and folded, separated by single spaces."""
    return _NON_WORD.sub(" ", ocr_fold(text)).strip()


def squash(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space, ends trimmed."""
    return _SPACES.sub(" ", text).strip()
