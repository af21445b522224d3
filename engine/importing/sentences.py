"""Assignments written as sentences, not as labelled fields.

"Giao Sở Tài chính chủ trì, phối hợp với Sở Nội vụ và các cơ quan liên quan bố trí
kinh phí, hoàn thành trước ngày 30/6/2026": the units before "chủ trì" lead, those
after "phối hợp với" coordinate, and "trước ngày ...", "trong tháng ...", "trong quý
..." say when. A plan may also name a unit as a heading and list its tasks beneath
("2. Sở Tài chính: a) ...; b) ..."). Texts are matched on their folded words, so OCR
damage and lost diacritics do not hide them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.importing.units import UnitDirectory
from engine.text_folding import fold

# On folded text, so that positions match the original's (folding keeps lengths for
# Vietnamese letters; a text where it does not is read as having no assignment).
_LEAD = re.compile(r"\bchu\s+tri\b")
_WITH = re.compile(r"\bphoi\s+hop\s+(?:voi\s+)?")
_WHEN = re.compile(
    r"\b(?:hoan\s+thanh\s+|thuc\s+hien\s+)?((?:truoc|trong|cham\s+nhat)\s+(?:ngay|thang|quy|nam)\b[^;.]*"
    r"|(?:thuong\s+xuyen|hang\s+nam|hang\s+quy|hang\s+thang|dinh\s+ky)\b[^;.]*)"
)
_GIVEN = re.compile(r"^\W*(?:giao\s+(?:cho\s+)?)?", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;.]\s")
_HEADING_WORDS = 14  # a unit heading is a name, not a sentence
_NO_UNITS = UnitDirectory([])


@dataclass(frozen=True)
class Assignment:
    """What a sentence assigns, as written: lead and coordinators' names, when."""

    lead: str = ""
    coordinators: str = ""
    deadline: str = ""


def read_assignment(text: str) -> Assignment:
    """The first clause of `text` that names a lead with "chủ trì"."""
    folded = fold(text)
    if len(folded) != len(text):
        return Assignment()
    for clause_start, clause_end in _clauses(folded):
        clause = folded[clause_start:clause_end]
        lead = _LEAD.search(clause)
        if not lead:
            continue
        before = text[clause_start:clause_start + lead.start()]
        names = _GIVEN.sub("", _last_sentence(before)).strip(" ,")
        if not _names_units(names):
            continue
        after = clause[lead.end():]
        partners = _WITH.search(after)
        coordinators = ""
        if partners:
            start = clause_start + lead.end() + partners.end()
            units, _ = _NO_UNITS.leading_units(text[start:clause_end])
            coordinators = "; ".join(u.name for u in units)
        return Assignment(names, coordinators, _when(text, folded))
    return Assignment()


def unit_heading(text: str) -> str:
    """The unit a heading names ("Sở Tài chính:", "2. Công an tỉnh"), or ""."""
    head = text.strip().rstrip(":").strip()
    if not head or len(head.split()) > _HEADING_WORDS:
        return ""
    units, rest = _NO_UNITS.field_units(head)
    return head if len(units) == 1 and not rest.strip(" .,") else ""


def deadline_in(text: str) -> str:
    """A deadline a sentence states ("hoàn thành trước ngày 30/6/2026"), or ""."""
    folded = fold(text)
    return _when(text, folded) if len(folded) == len(text) else ""


def _when(text: str, folded: str) -> str:
    match = _WHEN.search(folded)
    return text[match.start(1):match.end(1)].strip(" ,") if match else ""


def _clauses(folded: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in _CLAUSE_END.finditer(folded):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(folded)))
    return bounds


def _last_sentence(text: str) -> str:
    return re.split(r"[.;:]\s", text)[-1]


def _names_units(names: str) -> bool:
    units, rest = _NO_UNITS.field_units(names)
    return bool(units) and not rest.strip(" ,.")
