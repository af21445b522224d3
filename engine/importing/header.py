"""What a plan says about itself: its number, date, title and monitoring unit.

The number ("Số: 1303/KH-VP") and the date ("..., ngày 27 tháng 8 năm 2021") stand in
the letterhead (paragraphs, or the cells of a letterhead table), before the body; a
plan of an office without them yields none. The monitoring unit is the one the
organisation section charges with following, urging and reporting ("theo dõi, đôn
đốc, báo cáo").
"""
from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from engine.importing.labels import trailing_role
from engine.importing.units import UnitDirectory, UnitRef
from engine.text_folding import match_key, ocr_fold, squash

_LETTERHEAD_SIZE = 12  # lines: a letterhead table's cells count line by line
# The letterhead's "Số:" (OCR "$6:") is capitalised; a body's "công văn số 12/..." is not.
_NUMBER_PREFIX = re.compile(r"(?:^|\s)[S$]\S{0,2}\s*[:.]?\s*$")
_NUMBER = re.compile(r"(\d{1,6})\s*/\s*([A-ZĐ][A-ZĐ0-9&\-]*)")
_ISSUED = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_PLAN_HEADING = ("ke hoach", "chuong trinh", "de an")
_LEADING_MARKER = re.compile(r"^\W*(?:\d{1,2}[.)]|[a-z]\)|[-+])?\s*")
# What may stand before the unit a sentence charges: "Giao", or the post of its head
# ("Trưởng phòng Hành chính - Tổ chức có trách nhiệm ...", OCR-damaged or not).
_BEFORE_UNIT = ("giao", "truong", "thu truong", "pho truong", "giam doc", "pho giam doc")
_MONITOR_DUTIES = ("theo doi", "don doc", "bao cao", "tong hop")
_NUMBERED = re.compile(r"^\W*\d{1,2}[.)]\s")


def plan_number(paragraphs: list[str]) -> str | None:
    for text in paragraphs[:_LETTERHEAD_SIZE]:
        for match in _NUMBER.finditer(text):
            if _NUMBER_PREFIX.search(text[max(0, match.start() - 6):match.start()]):
                return f"{match.group(1)}/{match.group(2)}"
    return None


def issued_on(paragraphs: list[str]) -> date | None:
    lines = paragraphs[:_LETTERHEAD_SIZE]
    # The date may wrap inside its cell ("Bắc Ninh, ngày 20" / "tháng 11 năm 2025").
    for text in [*lines, *(f"{a} {b}" for a, b in zip(lines, lines[1:]))]:
        match = _ISSUED.search(ocr_fold(text))
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def plan_title(preamble: list[str]) -> str:
    """The line under "KẾ HOẠCH", or the "V/v" subject of a letter, or the first line."""
    for i, text in enumerate(preamble):
        key = match_key(text)
        heading = next((h for h in _PLAN_HEADING if h in key), None)
        if heading and key.endswith(heading) and i + 1 < len(preamble):  # the letterhead may run into it
            return squash(preamble[i + 1])
        if heading and key.startswith(heading) and key != heading:  # the title may run on from it
            return squash(text.split(None, len(heading.split()))[-1])
    subject = next((t for t in preamble if ocr_fold(t).startswith("v/v")), None)
    return squash(subject[3:]) if subject else squash(preamble[0]) if preamble else ""


def monitor(organisation: list[str], directory: UnitDirectory) -> UnitRef | None:
    """The unit an organisation paragraph charges with following and reporting: of the
    paragraphs naming two of those duties, the one naming the most ("Các cơ quan ...
    báo cáo ... để tổng hợp" reports; "Giao Sở Tư pháp theo dõi, đôn đốc, ... báo cáo"
    monitors)."""
    ranked = sorted(((-_duties(text), i, text) for i, text in enumerate(organisation)))
    for duties, i, text in ranked:
        if -duties < 2:
            break
        unit = directory.first_unit(text) or _leading_unit(text, directory) or _heading_unit(organisation[:i], directory)
        if unit:
            return unit
    return None


def _heading_unit(before: list[str], directory: UnitDirectory) -> UnitRef | None:
    """The unit of the numbered heading the duties stand under ("3. Cán bộ phụ trách
    lĩnh vực giám sát:" and its bullets "- theo dõi, đôn đốc ...")."""
    heading = next((text for text in reversed(before) if _NUMBERED.match(text)), None)
    if heading is None:
        return None
    units, _ = directory.field_units(_without_post(_LEADING_MARKER.sub("", heading)).rstrip(" :"))
    return units[0] if units else None


def _duties(text: str) -> int:
    key = match_key(text)
    return sum(fuzz.partial_ratio(d, key) >= 85 for d in _MONITOR_DUTIES)


def _leading_unit(text: str, directory: UnitDirectory) -> UnitRef | None:
    """An unknown unit that opens the sentence ("2. Phòng Nội vụ có trách nhiệm ..."); a
    sentence that opens with its role ("- Chủ trì theo dõi, đôn đốc ...") names none:
    its unit is the heading above it."""
    sentence = _without_post(_LEADING_MARKER.sub("", text))
    if trailing_role(sentence):
        return None
    units, _ = directory.leading_units(sentence)
    return units[0] if units else None


def _without_post(text: str) -> str:
    """The sentence from the unit on: "Trưởng phòng X ..." is "Phòng X ..."."""
    words = text.split()
    for size in (2, 1):
        if len(words) > size and match_key(" ".join(words[:size])) in _BEFORE_UNIT:
            rest = " ".join(words[size:])
            return rest[:1].upper() + rest[1:]
    return text
