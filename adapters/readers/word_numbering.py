"""Word's automatic numbering, rendered as text ("1.", "2.1.", "a)", "-").

A numbered paragraph names a numbering instance and a level (`w:numPr`); the
instance's abstract definition gives, per level, a format (decimal, lowerLetter, ...)
and a text pattern ("%1.", "%1.%2.", "%2)"). Counters advance per instance and level,
and a level restarts when a higher level advances.
"""
from __future__ import annotations

from docx.oxml.ns import qn

_ROMAN = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


class Numbering:
    def __init__(self, levels: dict[str, dict[int, tuple[str, str]]]) -> None:
        self._levels = levels  # numId -> ilvl -> (numFmt, lvlText)
        self._counters: dict[str, list[int]] = {}

    @classmethod
    def of(cls, document) -> Numbering:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return cls({})
        abstract = {a.get(qn("w:abstractNumId")): _levels_of(a) for a in root.iterchildren(qn("w:abstractNum"))}
        levels = {}
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})
        return cls(levels)

    def marker(self, paragraph) -> str:
        """The number Word shows before a paragraph, or ""."""
        num_id, level = _numbering_of(paragraph)
        if num_id is None:
            return ""
        formats = self._levels.get(num_id)
        if not formats or level not in formats:
            return ""
        counters = self._counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        counters[level + 1:] = [0] * (8 - level)
        fmt, pattern = formats[level]
        if fmt == "bullet":
            return "-"
        for i in range(level + 1):
            pattern = pattern.replace(f"%{i + 1}", _format(counters[i], formats.get(i, ("decimal", ""))[0]))
        return pattern


def _numbering_of(paragraph) -> tuple[str | None, int]:
    """(numId, level) from the paragraph's own properties, else from its style's
    (Word's "List Number" style numbers every paragraph that uses it)."""
    for owner in (paragraph._p, paragraph.style.element if paragraph.style is not None else None):
        num_pr = owner.find(f"{qn('w:pPr')}/{qn('w:numPr')}") if owner is not None else None
        if num_pr is not None and num_pr.find(qn("w:numId")) is not None:
            return _val(num_pr.find(qn("w:numId"))), int(_val(num_pr.find(qn("w:ilvl"))) or 0)
    return None, 0


def _levels_of(abstract) -> dict[int, tuple[str, str]]:
    levels = {}
    for lvl in abstract.iterchildren(qn("w:lvl")):
        fmt = _val(lvl.find(qn("w:numFmt"))) or "decimal"
        text = _val(lvl.find(qn("w:lvlText"))) or ""
        levels[int(lvl.get(qn("w:ilvl")))] = (fmt, text)
    return levels


def _val(element) -> str | None:
    return element.get(qn("w:val")) if element is not None else None


def _format(number: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (number - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (number - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(number)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(number)


def _roman(number: int) -> str:
    text = ""
    for value, letters in _ROMAN:
        while number >= value:
            text, number = text + letters, number - value
    return text
