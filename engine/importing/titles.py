"""A task's title out of its heading paragraph.

A short heading is the title. A long descriptive paragraph ("a) Nội dung: Tập trung
..., cụ thể: ...; ...") is a title followed by details: the title is its first
sentence, up to "cụ thể:" or the first ";" clause, unless the clauses are an
enumeration "(1) ...; (2) ..." that makes up the title.
"""
from __future__ import annotations

import re

from engine.text_folding import ocr_fold

_LONG_HEADING = 500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
_ABBREVIATIONS = {"tp", "vp", "tx", "ts", "ths", "q", "p"}
_DETAILS_FOLLOW = re.compile(r",?\s*(?:cu the|nhu sau|bao gom|gom)\s*:")
_ENUMERATION = re.compile(r"\(\s*[1-9ivx]\s*\)")


def split_title(heading: str, descriptive: bool = False) -> tuple[str, str]:
    """(title, the rest of the heading as content). A `descriptive` heading (one that
    a "Nội dung:" label introduced) is read as a description even when short."""
    heading = heading.strip()
    sentences = _sentences(heading)
    if not descriptive and len(sentences) == 1 and len(heading) <= _LONG_HEADING:
        return heading.rstrip(" :"), ""
    first = sentences[0]
    title = _before_details(first)
    if ";" in title and not _ENUMERATION.search(title):
        title = title.split(";")[0]
    rest = heading[len(title):].lstrip(" .;:,")
    return title.strip(" .:;,"), rest


def _sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        word = text[start:match.start()].rstrip(".!?").split()[-1:] or [""]
        if word[0].lower() in _ABBREVIATIONS:
            continue
        sentences.append(text[start:match.start()])
        start = match.end()
    sentences.append(text[start:])
    return sentences


def _before_details(sentence: str) -> str:
    # Folded character by character, so that positions match the original's.
    folded = "".join(ocr_fold(c) or " " for c in sentence)
    match = _DETAILS_FOLLOW.search(folded) if len(folded) == len(sentence) else None
    return sentence[: match.start()] if match else sentence
