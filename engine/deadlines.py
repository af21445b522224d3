"""A plan's deadline phrase ("Quý I năm 2024", "Thường xuyên") as a schedule.

The phrases and their meaning are the deadline table of docs/domain.md. A phrase is
read clause by clause (clauses are separated by ";"): dated clauses give milestones,
and a later clause saying "thường xuyên", "định kỳ" or "trong năm ..." turns the
schedule into an ongoing or periodic one after those milestones. What cannot be read
stays "unresolved" with its text, for a person to settle.
"""
from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from engine.text import ocr_fold

ONCE, ONGOING, PERIODIC, UNRESOLVED = "once", "ongoing", "periodic", "unresolved"

# A deadline that points at another document is set by that document.
_REFERENCE = re.compile(r"^\W*theo\b")
# Document numbers ("số 1648/QĐ-UBND ngày 30/11/2022") and periods ("giai đoạn 2022 - 2025")
# carry dates and years that are not deadlines.
_DOCUMENT = re.compile(r"\b(?:so\s*)?\d+/[\w\-/&.]*[a-z][\w\-/&]*(?:\s*ngay\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4})?")
_PERIOD = re.compile(r"(?:giai doan\s*)?\b\d{4}\s*-\s*\d{4}\b")
_QUARTERS = re.compile(r"\bquy\s+((?:[ivx1-4lt|]+\b[\s,]*(?:va\s+|-\s*)?)+)")
_QUARTER_YEAR = re.compile(r"^[^;0-9]{0,12}?(\d{4})")
_MONTH = re.compile(r"\bthang\s*(\d{1,2})(?:\s*(?:/|-|nam)\s*(\d{4}))?")
# "30/6/2025", "30-6-2025", "30.6.2025": one separator throughout.
_DAY = re.compile(r"(?:truoc|cham nhat|han|den|hoan thanh|^)\s*(?:ngay\s*)?(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
# "Trước ngày 30/6": a day of the plan's year.
_DAY_NO_YEAR = re.compile(r"(?:truoc|cham nhat|han|den|hoan thanh|^)\s*(?:ngay\s*)?(\d{1,2})/(\d{1,2})(?![/\d])")
# "Năm 2025 - 2026", "Giai đoạn 2025-2026", "Từ năm 2025 đến năm 2026" as the deadline
# itself (the clause opens with it): ongoing until the last year's end.
_YEAR_SPAN = re.compile(
    r"^\W*(?:trong\s+)?(?:(?:cac\s+)?n\w{1,2}m|giai doan|tu\s+n\w{1,2}m)?\s*(\d{4})\s*(?:-|–|den(?:\s+n\w{1,2}m)?)\s*(\d{4})\b"
)
_HALF_YEAR = re.compile(r"\b6 thang (dau|cuoi) nam")
_YEAR = re.compile(r"\bn\w{1,2}m\s*(\d{4})\b|^\W*(\d{4})\b")  # "năm", OCR "ndm", "nidm"
_WITHIN_YEAR = re.compile(r"\b(?:trong|ca|cuoi) nam\b")
_ONGOING = re.compile(r"\bth\w{0,3}ng\s*xuy\w{0,2}n\b|\blien tuc\b|\bhang ngay\b")
_EVERY = (
    (re.compile(r"\bha\w?ng\s*thang\b"), "P1M"),
    (re.compile(r"\bha\w?ng\s*quy\b"), "P3M"),
    (re.compile(r"\bha\w?ng\s*nam\b"), "P1Y"),
)
_PERIODIC_NO_FREQUENCY = re.compile(r"\bdinh\s*ky\b")
_OCR_ROMAN = str.maketrans({"l": "i", "1": "i", "|": "i", "t": "i"})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Schedule:
    """When a task is due: once (milestones), ongoing or periodic until a date, or unresolved."""

    kind: str
    due: tuple[date, ...] = ()
    every: str | None = None
    until: date | None = None
    text: str = ""

    def to_dict(self) -> dict:
        data = {
            "kind": self.kind,
            "due": [d.isoformat() for d in self.due],
            "every": self.every,
            "until": self.until.isoformat() if self.until else None,
        }
        if self.kind == UNRESOLVED:
            data["text"] = self.text
        return data


def parse_deadline(text: str, plan_year: int) -> Schedule:
    """Read a deadline phrase; `plan_year` is the year when the phrase names none."""
    folded = ocr_fold(text)
    if not folded or _REFERENCE.match(folded):
        return Schedule(UNRESOLVED, text=text)
    reading = _Reading(plan_year)
    for clause in re.split(r"[;\n]", _DOCUMENT.sub(" ", folded)):
        span = _YEAR_SPAN.match(clause)
        if span and int(span.group(1)) <= int(span.group(2)):
            reading.ongoing_until(int(span.group(2)))
            clause = clause[span.end():]
        reading.add(_PERIOD.sub(" ", clause).strip())
    return reading.schedule(text)


def years_named(text: str) -> list[int]:
    """The years a deadline phrase names, ignoring document numbers and periods."""
    clean = _PERIOD.sub(" ", _DOCUMENT.sub(" ", ocr_fold(text)))
    return [int(y) for y in re.findall(r"\b(20\d\d|19\d\d)\b", clean)]


def most_common_year(texts: list[str]) -> int | None:
    """The year most deadline phrases of a plan name: the plan's year."""
    counts = Counter(y for t in texts for y in years_named(t))
    return counts.most_common(1)[0][0] if counts else None


class _Reading:
    """What the clauses of one phrase have said so far."""

    def __init__(self, plan_year: int) -> None:
        self.plan_year = plan_year
        self.milestones: list[date] = []
        self.every: str | None = None
        self.ongoing = False
        self.until: date | None = None

    def add(self, clause: str) -> None:
        year = _year(clause)
        every = next((code for pattern, code in _EVERY if pattern.search(clause)), None)
        if every:
            self.every = every
            if year or _WITHIN_YEAR.search(clause):
                self.until = _year_end(year or self.plan_year)
            return
        if _ONGOING.search(clause) or _PERIODIC_NO_FREQUENCY.search(clause):
            self._continue_until(year)
            return
        dates = _dates(clause, self.plan_year)
        if dates:
            self.milestones.extend(dates)
        elif year and self.milestones:
            self._continue_until(year)  # "...; kiểm tra trong năm 2024" after a milestone
        elif year:
            self.milestones.append(_year_end(year))

    def ongoing_until(self, year: int) -> None:
        """A span of years ("Năm 2025 - 2026"): ongoing until the last one ends."""
        self.ongoing = True
        self.until = max(self.until or _year_end(year), _year_end(year))

    def _continue_until(self, year: int | None) -> None:
        self.ongoing = True
        self.until = _year_end(year or self._default_year())

    def _default_year(self) -> int:
        return self.milestones[-1].year if self.milestones else self.plan_year

    def schedule(self, text: str) -> Schedule:
        due = tuple(sorted(set(self.milestones)))
        if self.every:
            return Schedule(PERIODIC, due, self.every, self.until, text)
        if self.ongoing:
            return Schedule(ONGOING, due, None, self.until, text)
        if due:
            return Schedule(ONCE, due, text=text)
        return Schedule(UNRESOLVED, text=text)


def _dates(clause: str, plan_year: int) -> list[date]:
    found = [_quarter_end(q, y) for q, y in _quarters(clause, plan_year)]
    found += [_month_end(int(m), int(y) if y else plan_year) for m, y in _MONTH.findall(clause) if 1 <= int(m) <= 12]
    found += [_safe_date(int(y), int(m), int(d)) for d, _, m, y in _DAY.findall(clause)]
    found += [_safe_date(plan_year, int(m), int(d)) for d, m in _DAY_NO_YEAR.findall(clause)]
    half = _HALF_YEAR.search(clause)
    if half:
        found.append(date(_year(clause) or plan_year, 6 if half.group(1) == "dau" else 12, 30 if half.group(1) == "dau" else 31))
    return [d for d in found if d]


def _quarters(clause: str, plan_year: int) -> list[tuple[int, int]]:
    found = []
    for match in _QUARTERS.finditer(clause):
        year_match = _QUARTER_YEAR.match(clause[match.end():])
        year = int(year_match.group(1)) if year_match else plan_year
        numbers = [_quarter_number(token) for token in re.findall(r"[ivx1-4lt|]+", match.group(1))]
        found += [(q, year) for q in numbers if q]
    return found


def _quarter_number(token: str) -> int | None:
    if token.isdigit() and set(token) != {"1"}:
        return int(token) if 1 <= int(token) <= 4 else None
    return _ROMAN.get(token.translate(_OCR_ROMAN))  # OCR reads "II" as "Il", "11" or "ITI"


def _year(clause: str) -> int | None:
    match = _YEAR.search(clause)
    return int(match.group(1) or match.group(2)) if match else None


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _quarter_end(quarter: int, year: int) -> date:
    return _month_end(quarter * 3, year)


def _month_end(month: int, year: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
