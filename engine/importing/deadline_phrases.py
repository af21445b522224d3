"""A plan's deadline phrase ("Quý I năm 2024", "Trước ngày 10 hằng tháng") as a schedule.

The grammar is the table `PHRASES` below: each row names a phrase form of the genre,
its pattern (on folded text: lowercase, no diacritics, OCR repaired) and what it
means. A phrase is read clause by clause (clauses are separated by ";"); within a
clause, rows are tried in table order and each match consumes its text, so a longer
form ("từ tháng 3 đến tháng 6 năm 2025") is read before its parts ("tháng 6 năm 2025").

Meanings: a date or a period is a milestone due at its end; a span "từ … đến …" is
due at its end and starts at its beginning; "từ …" alone starts the work, which then
runs to the end of the plan; a recurrence reports every week / month / quarter / half
/ year, on a day when one is named ("trước ngày 10 hằng tháng"); "thường xuyên",
"liên tục", "trong năm", "giai đoạn" are ongoing. A plan's years (`PlanYears`, read
from its period, title or deadlines) give a year to phrases that name none, and an
end to ongoing work; a year the task names overrides them. What cannot be read stays
unresolved with its text and a reason, for a person to settle.
"""
from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from engine.text_folding import fold, ocr_fold

ONCE, ONGOING, PERIODIC, UNRESOLVED = "once", "ongoing", "periodic", "unresolved"
# Why a phrase stays unresolved.
REFERENCE = "reference"  # "Theo Kế hoạch số 140/KH-UBND", "Theo quy định": another text sets it
CONDITION = "condition"  # "Khi có yêu cầu", "Sau khi Nghị định được ban hành": an event, not a date
DURATION = "duration"  # "01 ngày/hội nghị", "trong 15 ngày làm việc": a length with no start
EMPTY = "empty"
UNREAD = "unread"  # words the grammar does not know
# Finest first: when a phrase names several frequencies, the task reports on the finest.
FREQUENCIES = ("P1W", "P1M", "P3M", "P6M", "P1Y")


@dataclass(frozen=True)
class PlanYears:
    """The years a plan's tasks run: one year, or a period ("giai đoạn 2026 - 2030")."""

    first: int
    last: int

    @classmethod
    def of(cls, years: int | PlanYears) -> PlanYears:
        return years if isinstance(years, PlanYears) else cls(years, years)


@dataclass(frozen=True)
class Schedule:
    """When a task is due: once (milestones), ongoing or periodic until a date, or unresolved.

    `start` is when the work begins, if the phrase says ("Từ tháng 7/2025"); `on` is the
    day of a recurrence in ISO 8601 recurring form: "---10" the 10th of the (last)
    month of each period, "--12-15" the 15th of December each year ("--06-01,--11-15":
    two days each year).
    """

    kind: str
    due: tuple[date, ...] = ()
    every: str | None = None
    until: date | None = None
    text: str = ""
    start: date | None = None
    on: str | None = None
    reason: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Schedule:
        """The inverse of `to_dict`, for a schedule that comes back from outside (an
        edited import draft): raises ValueError unless every part is of its kind, so a
        hand-made `{"due": ["abc"]}` never reaches the report dates' arithmetic."""
        if not isinstance(data, dict) or data.get("kind") not in (ONCE, ONGOING, PERIODIC, UNRESOLVED):
            raise ValueError("not a schedule")
        due = data.get("due") or []
        if not isinstance(due, list) or data.get("every") not in (None, *FREQUENCIES):
            raise ValueError("not a schedule")
        return cls(data["kind"], tuple(_iso_day(d) for d in due), data.get("every"), _iso_day(data.get("until")),
                   _text(data.get("text")), _iso_day(data.get("start")), _recurrence_day(data.get("on")),
                   _text(data.get("reason")) or None)

    def to_dict(self) -> dict:
        data = {
            "kind": self.kind,
            "due": [d.isoformat() for d in self.due],
            "every": self.every,
            "until": self.until.isoformat() if self.until else None,
        }
        if self.start:
            data["start"] = self.start.isoformat()
        if self.on:
            data["on"] = self.on
        if self.kind == UNRESOLVED:
            data["text"] = self.text
            data["reason"] = self.reason
        return data


def _iso_day(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not an ISO date")
    return date.fromisoformat(value)


def _text(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise ValueError("not a text")
    return value or ""


_RECURRENCE_DAY = re.compile(r"---(0[1-9]|[12]\d|3[01])|--\d\d-\d\d(,--\d\d-\d\d)*")


def _recurrence_day(value: Any) -> str | None:
    """"---10" or "--12-15[,--06-01]" (see `Schedule`), each month and day a real one."""
    if value is None:
        return None
    if not isinstance(value, str) or not _RECURRENCE_DAY.fullmatch(value):
        raise ValueError("not a recurrence day")
    for month_day in value.split(",") if not value.startswith("---") else ():
        date(2000, int(month_day[2:4]), int(month_day[5:7]))  # a leap year: 29 February is a day
    return value


def parse_deadline(text: str, years: int | PlanYears) -> Schedule:
    """Read a deadline phrase; `years` are the plan's (an int: a one-year plan)."""
    plan = PlanYears.of(years)
    folded = _spelled(ocr_fold(text))
    if not folded.strip(" .;,"):
        return Schedule(UNRESOLVED, text=text, reason=EMPTY)
    if _REFERENCE.match(folded):
        return Schedule(UNRESOLVED, text=text, reason=REFERENCE)
    reading = _Reading(plan)
    for clause in re.split(r"[;\n]", _DOCUMENT.sub(" ", folded)):
        reading.read(clause)
    return reading.schedule(text, folded)


def plan_years(title: str, deadline_texts: list[str], issued: date | None) -> PlanYears:
    """A plan's years: the period its title names ("giai đoạn 2026 - 2030", "đến năm
    2035"), else the year its deadlines name most, else the title's year, else the
    year it was issued (else this year)."""
    folded = ocr_fold(title)
    span = _TITLE_PERIOD.search(folded)
    if span and int(span.group(1)) < int(span.group(2)):
        return PlanYears(int(span.group(1)), int(span.group(2)))
    named = most_common_year(deadline_texts)
    horizon = _TITLE_HORIZON.search(folded)
    if horizon:
        start = named or (issued.year if issued else None) or int(horizon.group(1))
        return PlanYears(min(start, int(horizon.group(1))), int(horizon.group(1)))
    if named:
        return PlanYears(named, named)
    in_title = re.findall(r"\b(20\d\d)\b", folded)
    year = int(in_title[-1]) if in_title else (issued or date.today()).year
    return PlanYears(year, year)


def running(schedule: Schedule) -> Schedule:
    """A plan's own time as the schedule of a task that states none: the task runs
    through it (ongoing until its end), rather than falling due once at its end."""
    if schedule.kind != ONCE:
        return schedule
    return Schedule(ONGOING, (), None, schedule.due[-1], schedule.text, schedule.start)


def title_period(title: str) -> str:
    """The time a plan's title names, as written ("giai đoạn 2026 - 2030", "năm 2025",
    "đến năm 2030"), or ""; a document's date in the title ("Chỉ thị số 32/CT-TTg ngày
    21/10/2025") names none."""
    folded = fold(title)
    if len(folded) != len(title):
        return ""
    match = _TITLE_TIME.search(_DOCUMENT.sub(lambda m: " " * len(m.group(0)), folded))
    return title[match.start():match.end()] if match else ""


def _spelled(folded: str) -> str:
    for pattern, word in _SPELLINGS:
        folded = pattern.sub(word, folded)
    return folded


def years_named(text: str) -> list[int]:
    """The years a deadline phrase names, ignoring document numbers and periods."""
    clean = _PERIOD.sub(" ", _DOCUMENT.sub(" ", ocr_fold(text)))
    return [int(y) for y in re.findall(r"\b(20\d\d|19\d\d)\b", clean)]


def most_common_year(texts: list[str]) -> int | None:
    """The year most deadline phrases of a plan name: the plan's year."""
    counts = Counter(y for t in texts for y in years_named(t))
    return counts.most_common(1)[0][0] if counts else None


# ---------------------------------------------------------------- the phrase table

_Y = r"(?:\s*(?:/|-|nam)\s*(\d{4}))?"  # an optional year after a month or quarter
# "II, III", "III và IV", "III và Quý IV": a quarter's numeral, then another's.
_QUARTER_TOKENS = r"((?:\b[ivx1-4lt|]+\b[\s,]*(?:va\s+|-\s*)?(?:quy\s+)?)+)"
_DATE = r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
_LONG_DATE = r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*(?:nam\s*)?(\d{4}))?"
_DAY_MONTH = r"(\d{1,2})/(\d{1,2})\b(?![/.-]\d)"
# "năm sau", "năm tiếp theo", "năm liền kề" (not "các năm tiếp theo"); "năm trước (liền kề)".
_RELATIVE_YEAR = re.compile(r"(?<!cac )(?<!nhung )\bnam\s+(?:(sau|tiep theo|lien ke|ke tiep)|(truoc))\b")

# A whole phrase that points at another text: set by that text.
_REFERENCE = re.compile(r"^\W*(?:theo|ket qua theo)\b")
# Document numbers ("số 1648/QĐ-UBND ngày 30/11/2022") carry dates that are not deadlines.
_DOCUMENT = re.compile(
    r"\b(?:so\s*)?\d+/[\w\-/&.]*[a-z][\w\-/&]*(?:\s*,?\s*ngay\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|"
    r"\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}))?"
)
# A period named as a reference ("Kế hoạch ... giai đoạn 2022 - 2025") is no deadline.
_PERIOD = re.compile(r"(?:giai doan\s*)?\b\d{4}\s*[-–]\s*\d{4}\b")
_TITLE_PERIOD = re.compile(r"(?:giai doan|nam|thoi ky)\s*(20\d\d)\s*[-–]\s*(20\d\d)\b")
_TITLE_HORIZON = re.compile(r"\bden nam (20\d\d)\b")
_TITLE_TIME = re.compile(
    r"\b(?:giai doan|thoi ky|nam)\s*20\d\d\s*[-–]\s*20\d\d\b|\bden nam 20\d\d\b|\bnam 20\d\d\b(?!\s*[-–])")
# An event, not a date: "sau khi ...", "khi có yêu cầu", "đột xuất" (when something comes
# up), "kịp thời" (as soon as needed), "khi phát sinh".
_CONDITION = re.compile(r"\b(?:sau khi|khi co|ke tu|tuy theo|dot xuat|kip thoi|khi phat sinh|khi can thiet)\b")
# Another spelling of the same word ("quí" for "quý"), and what a scan does to the
# genre's words: a letter O inside a year ("2O25"), a word split by a space ("xu yên").
_SPELLINGS = (
    (re.compile(r"\bqui\b"), "quy"),
    (re.compile(r"\b[12]o\d\d\b|\b[12]\do\d\b"), lambda m: m.group(0).replace("o", "0")),
    (re.compile(r"\bxu\s+yen\b|\bxuye\s+n\b"), "xuyen"),
)
_DURATION = re.compile(r"\b\d+\s*(?:ngay|thang|tuan)\b")


@dataclass(frozen=True)
class Phrase:
    """One row of the grammar: a phrase form, its pattern, what it means, an example."""

    name: str
    pattern: re.Pattern[str]
    meaning: Callable[[re.Match[str], _Reading], None]
    example: str


def _span(m: re.Match[str], r: _Reading) -> None:
    """"Từ tháng 3 đến tháng 6 năm 2025": due at the end, started at the beginning; the
    end lends its year (and month) to a beginning that names none."""
    end = _interval(m.group("end"), r.year_of(m.group("end")), None)
    if end is None:
        return
    hyphen_year = not re.match(r"tu\b", m.group(0)) and "den" not in m.group(0) and _is_year(m.group("end"))
    if hyphen_year and not _is_year(m.group("begin")) and not _year(m.group("begin")):
        within = _interval(m.group("begin"), end[1].year, end[1])  # "Quý IV-2025": the quarter's year
        r.add_date(within[1] if within else None)
        return
    begin = _interval(m.group("begin"), _year(m.group("begin")) or end[1].year, end[1])
    if _is_year(m.group("begin")) and _is_year(m.group("end")):
        r.ongoing_until(end[1], begin[0] if begin else None)  # "Từ năm 2025 đến hết năm 2030"
        return
    r.milestones.append(end[1])
    if begin:
        r.begin(begin[0])


def _school_year(m: re.Match[str], r: _Reading) -> None:
    """"Năm học 2025 - 2026": a school year runs from September to the end of May."""
    first, last = int(m.group(1)), int(m.group(2))
    if last == first + 1:
        r.ongoing_until(date(last, 5, 31), date(first, 9, 1))


def _from_now(m: re.Match[str], r: _Reading) -> None:
    """"Từ nay đến hết năm 2025": the work goes on from the plan's start to that end."""
    end = _interval(m.group("end"), r.year_of(m.group("end")), None)
    if end:
        r.ongoing_until(end[1], None)


def _start_only(m: re.Match[str], r: _Reading) -> None:
    """"Từ 01/7/2025", "Bắt đầu thực hiện từ năm 2026": work begins, and runs on."""
    begin = _interval(m.group("begin"), r.year_of(m.group("begin")), None)
    if begin:
        r.ongoing_until(max(r.last_year_end(), date(begin[0].year, 12, 31)), begin[0])


def _years(m: re.Match[str], r: _Reading) -> None:
    """"Năm 2025 - 2026", "Giai đoạn 2026-2030": ongoing until the last year's end."""
    first, last = int(m.group(1)), int(m.group(2))
    if first <= last:
        r.ongoing_until(date(last, 12, 31), date(first, 1, 1))


def _every_on_day(m: re.Match[str], r: _Reading) -> None:
    """"Trước ngày 10 hằng tháng", "trước ngày 15 của tháng cuối quý": the day of each period."""
    r.recur(_frequency(m.group("every")), f"---{int(m.group('day')):02d}")


def _every_on_date(m: re.Match[str], r: _Reading) -> None:
    """"Trước 15/12 hằng năm", "trước ngày 01/6 và 15/11 hằng năm": the days of each year."""
    days = [(int(mo), int(d)) for d, mo in re.findall(r"(\d{1,2})/(\d{1,2})", m.group(0))]
    if days and all(_safe_date(2024, mo, d) for mo, d in days):
        r.recur("P1Y", ",".join(f"--{mo:02d}-{d:02d}" for mo, d in sorted(days)))


def _every_in_month(m: re.Match[str], r: _Reading) -> None:
    """"Trong tháng 01 hằng năm", "Tháng 12 hằng năm": by the month's end each year."""
    month = int(m.group("month"))
    if 1 <= month <= 12:
        r.recur("P1Y", f"--{month:02d}-{calendar.monthrange(2023, month)[1]:02d}")


def _every_next_month(m: re.Match[str], r: _Reading) -> None:
    """"Trước ngày 05 của tháng liền kề": monthly, by that day of the following month."""
    r.recur("P1M", f"---{int(m.group('day')):02d}")


def _every(m: re.Match[str], r: _Reading) -> None:
    r.recur(_frequency(m.group(0)), None)


def _following_years(m: re.Match[str], r: _Reading) -> None:
    """"Năm 2025 và các năm tiếp theo": every year from that one on, to the plan's end
    (after a span of years, the span's ongoing work simply goes on)."""
    if r.ongoing:
        return
    r.recur("P1Y", None)
    r.open_ended = True
    if r.named_year:
        r.begin(date(r.named_year, 1, 1))


def _half(m: re.Match[str], r: _Reading) -> None:
    year = int(m.group(2)) if m.group(2) else r.clause_year()
    r.add_date(date(year, 6, 30) if m.group(1) == "dau" else date(year, 12, 31))


def _quarters(m: re.Match[str], r: _Reading) -> None:
    year = int(m.group(2)) if m.group(2) else r.clause_year()
    for token in re.findall(r"[ivx1-4lt|]+", m.group(1)):
        quarter = _quarter_number(token)
        if quarter:
            r.add_date(_month_end(quarter * 3, year))


def _full_date(m: re.Match[str], r: _Reading) -> None:
    r.add_date(_safe_date(int(m.group(4)), int(m.group(3)), int(m.group(1))))


def _long_date(m: re.Match[str], r: _Reading) -> None:
    year = int(m.group(3)) if m.group(3) else r.clause_year()
    r.add_date(_safe_date(year, int(m.group(2)), int(m.group(1))))


def _day_month(m: re.Match[str], r: _Reading) -> None:
    r.add_date(_safe_date(r.clause_year(), int(m.group(2)), int(m.group(1))))


def _month(m: re.Match[str], r: _Reading) -> None:
    month = int(m.group(1))
    if 1 <= month <= 12:
        r.add_date(_month_end(month, int(m.group(2)) if m.group(2) else r.clause_year()))


def _year_end(m: re.Match[str], r: _Reading) -> None:
    r.add_year(int(m.group(1) or m.group(2)))


def _ongoing(m: re.Match[str], r: _Reading) -> None:
    r.ongoing = True


def _within_the_year(m: re.Match[str], r: _Reading) -> None:
    """Bare "trong năm": ongoing through each year of the plan."""
    r.ongoing = True
    r.within_year = True


def _whole_period(m: re.Match[str], r: _Reading) -> None:
    """"Hằng năm và giai đoạn", "Giai đoạn": ongoing until the plan's last year ends."""
    r.ongoing_until(r.last_year_end(), None)


_FREQUENCY_WORDS = (
    ("P1W", re.compile(r"tuan")),
    ("P6M", re.compile(r"6 thang|sau thang")),
    ("P3M", re.compile(r"quy")),
    ("P1M", re.compile(r"thang")),
    ("P1Y", re.compile(r"nam")),
)
_HANG = r"(?:ha\w?ng|moi)"  # "hằng", "hàng", OCR "hang", "mỗi"
# A date expression inside a span, without groups of its own (read by `_interval`).
_DATE_EXPR = (
    r"(?:ngay\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|ngay\s*\d{1,2}\s*thang\s*\d{1,2}(?:\s*(?:nam\s*)?\d{4})?"
    r"|(?:ngay\s*)?\d{1,2}/\d{1,2}\b(?!/)|ngay\s*\d{1,2}|thang\s*\d{1,2}(?:\s*(?:/|nam)\s*\d{4})?"
    r"|quy\s+[ivx1-4lt|]+\b(?:\s*(?:/|nam)\s*\d{4})?|(?:nam\s*)?\d{4}"
)

# A span's end may be a bare "12/2025" after a month: "tháng 10 - 12/2025".
_END_EXPR = rf"{_DATE_EXPR}|\d{{1,2}}/\d{{4}}\b"

PHRASES: tuple[Phrase, ...] = (
    Phrase("school year", re.compile(r"\bnam hoc\s*(\d{4})\s*(?:-|–|den)\s*(\d{4})\b"), _school_year,
           "Năm học 2025 - 2026"),
    Phrase("from now on", re.compile(rf"\btu nay\s*(?:den|toi)\s*(?:het\s+)?(?:nam\s+)?(?P<end>{_DATE_EXPR})"),
           _from_now, "Từ nay đến hết năm 2025"),
    Phrase("span", re.compile(
        rf"(?:\btu\s+|\b(?=thang|quy))(?P<begin>{_DATE_EXPR})\s*(?:den|-|–)\s*(?:het\s+)?(?P<end>{_END_EXPR})"),
        _span, "Từ tháng 3 đến tháng 6 năm 2025; tháng 10 - 12/2025"),
    Phrase("years", re.compile(
        r"(?:^\W*(?:trong\s+)?(?:(?:cac\s+)?nam|giai doan|tu\s+nam)?|\btu\s+nam)"
        r"\s*(\d{4})\s*(?:-|–|den(?:\s+het)?(?:\s+nam)?)\s*(\d{4})\b"),
        _years, "Giai đoạn 2026 - 2030"),
    Phrase("start", re.compile(rf"\b(?:bat dau\s+)?(?:thuc hien\s+)?tu\s+(?P<begin>{_DATE_EXPR})"),
           _start_only, "Từ tháng 7/2025"),
    Phrase("next month's day", re.compile(r"\bngay\s*(?P<day>\d{1,2})\s*(?:cua\s+)?thang\s+(?:lien ke|sau|tiep theo)\b"),
           _every_next_month, "Trước ngày 05 của tháng liền kề"),
    Phrase("every, on a day", re.compile(
        rf"\bngay\s*(?P<day>\d{{1,2}})(?!\s*[/.-]\s*\d)\s*(?:cua\s+)?"
        rf"(?P<every>(?:{_HANG}\s*(?:thang|quy|tuan))|thang cuoi (?:moi\s+)?quy)"
        rf"|(?P<every2>{_HANG}\s*(?:thang|quy|tuan))\b[^;0-9]{{0,20}}?\bngay\s*(?P<day2>\d{{1,2}})\b(?!\s*[/.-]\s*\d)"),
        _every_on_day, "Trước ngày 10 hằng tháng; Hằng tháng, trước ngày 20"),
    Phrase("every year, on a date", re.compile(
        rf"(?:\b{_HANG}\s*nam\b[^;0-9]{{0,30}}?(?:ngay\s*)?(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})\b(?!/)"
        rf"|(?:ngay\s*)?\b(?P<day2>\d{{1,2}})/(?P<month2>\d{{1,2}})\b(?!/)(?:\s*(?:va|,)\s*\d{{1,2}}/\d{{1,2}}\b)*\s*{_HANG}\s*nam\b)"),
        _every_on_date, "Trước ngày 15/12 hằng năm"),
    Phrase("every year, in a month", re.compile(rf"\bthang\s*(?P<month>\d{{1,2}})\s*{_HANG}\s*nam\b"),
           _every_in_month, "Ban hành kế hoạch trong tháng 01 hằng năm"),
    Phrase("every", re.compile(
        rf"\b{_HANG}\s*(?:tuan|thang|quy|nam)\b|\bdinh\s*ky\s*(?:6|sau)\s*thang\b|\b(?:6|sau) thang\s*(?:/|mot)\s*lan\b"
        rf"|\bdinh\s*ky\s*quy\b"),
        _every, "Định kỳ hằng quý; Định kỳ 6 tháng"),
    Phrase("the following years", re.compile(r"\b(?:va\s+)?(?:cac|nhung)\s+nam\s+tiep\s+theo\b"),
           _following_years, "Năm 2025 và các năm tiếp theo"),
    Phrase("half", re.compile(r"\b(?:6|sau) thang (dau|cuoi)(?: nam)?(?:\s*(\d{4}))?"), _half, "6 tháng đầu năm 2025"),
    Phrase("quarters", re.compile(rf"\bquy\s+{_QUARTER_TOKENS}(?:[^;0-9]{{0,12}}?(\d{{4}}))?"), _quarters,
           "Quý II, III, IV năm 2024"),
    Phrase("date", re.compile(rf"\b{_DATE}\b"), _full_date, "30/6/2025, 30-6-2025, 30.6.2025"),
    Phrase("long date", re.compile(rf"\b{_LONG_DATE}"), _long_date, "ngày 15 tháng 10 năm 2025"),
    Phrase("long date without 'ngày'", re.compile(r"\b(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})\b"),
           _long_date, "Trước 20 tháng 12 năm 2025"),
    Phrase("day and month", re.compile(rf"\b{_DAY_MONTH}"), _day_month, "Trước ngày 30/6"),
    Phrase("month", re.compile(rf"\bthang\s*(\d{{1,2}})\b{_Y}"), _month, "tháng 9/2021"),
    Phrase("ongoing", re.compile(r"\bth\w{0,3}ng\s*xuy\w{0,2}n\b|\blien tuc\b|\bhang ngay\b|\bdinh\s*ky\b"), _ongoing,
           "Thường xuyên; liên tục; định kỳ"),
    Phrase("within the year", re.compile(r"\b(?:trong|ca) nam\b(?!\s*\d)"), _within_the_year, "Trong năm"),
    Phrase("the whole period", re.compile(r"\bgiai doan\b(?!\s*\d)"), _whole_period, "Hằng năm và giai đoạn"),
    Phrase("year", re.compile(r"\bn\w{1,2}m\s*(\d{4})\b|^\W*(?:den het\s+|den\s+)?(\d{4})\b"), _year_end, "Năm 2022"),
)


# ---------------------------------------------------------------- reading


class _Reading:
    """What the clauses of one phrase have said so far."""

    def __init__(self, plan: PlanYears) -> None:
        self.plan = plan
        self.milestones: list[date] = []
        self.start: date | None = None
        self.every: str | None = None
        self.on: str | None = None
        self.ongoing = False
        self.within_year = False
        self.until: date | None = None
        self.named_year: int | None = None
        self.clause_milestones = 0
        self.open_ended = False

    def read(self, clause: str) -> None:
        self.named_year = _year(_PERIOD.sub(" ", clause))
        relative = _RELATIVE_YEAR.search(clause)
        if relative and not self.named_year:
            # "Trước ngày 31/01 năm sau": the year after (or before) the year of the work.
            self.named_year = self.plan.first + (1 if relative.group(1) else -1)
        ongoing_before, self.clause_milestones = self.ongoing, len(self.milestones)
        rest = clause
        for phrase in PHRASES:
            rest = phrase.pattern.sub(lambda m, p=phrase: self._apply(p, m), rest)
        if relative and self.plan.first < self.plan.last:
            self._every_year_of_the_plan()
        if self.ongoing and not ongoing_before and self.until is None and not self.within_year:
            # "Thường xuyên trong năm 2024": the clause's year; none: the plan's last.
            self.until = date(self.named_year, 12, 31) if self.named_year else None
        if self.within_year and self.until is None:
            self.until = date(self.named_year or self.plan.last, 12, 31)  # bare: each year of the plan
        elif (self.every and self.named_year and self.until is None and not self.open_ended
              and len(self.milestones) == self.clause_milestones):
            self.until = date(self.named_year, 12, 31)  # "Định kỳ hằng tháng trong năm 2024"

    def _every_year_of_the_plan(self) -> None:
        """In a plan of several years, "trước ngày 31/01 năm liền kề" recurs: each year's
        work is due on that day of the year after it."""
        days = self.milestones[self.clause_milestones:]
        del self.milestones[self.clause_milestones:]
        self.named_year = None
        if days:
            self.recur("P1Y", ",".join(sorted({f"--{d.month:02d}-{d.day:02d}" for d in days})))

    def _apply(self, phrase: Phrase, match: re.Match[str]) -> str:
        if phrase.name in ("every, on a day", "every year, on a date"):
            match = _Aliased(match)
        phrase.meaning(match, self)
        return " " * len(match.group(0))

    # -- what the table's meanings call
    def clause_year(self) -> int:
        return self.named_year or self.plan.first

    def year_of(self, text: str) -> int:
        return _year(text) or self.clause_year()

    def last_year_end(self) -> date:
        return date(self.plan.last, 12, 31)

    def add_date(self, day: date | None) -> None:
        if day:
            self.milestones.append(day)

    def add_year(self, year: int) -> None:
        if self.ongoing or self.every or year in (d.year for d in self.milestones[self.clause_milestones:]):
            return  # the year of an ongoing task, or of a date this clause named
        if self.milestones:
            self.ongoing, self.until = True, date(year, 12, 31)  # "...; kiểm tra trong năm 2024" after a milestone
        else:
            self.milestones.append(date(year, 12, 31))

    def begin(self, day: date) -> None:
        if day > date(self.plan.first, 1, 1):  # a start with the plan's own says nothing
            self.start = min(self.start or day, day)

    def ongoing_until(self, until: date, start: date | None) -> None:
        self.ongoing = True
        self.until = max(self.until or until, until)
        if start:
            self.begin(start)

    def recur(self, every: str, on: str | None) -> None:
        if self.every is None or FREQUENCIES.index(every) < FREQUENCIES.index(self.every):
            self.every, self.on = every, on
        elif every == self.every and on and not self.on:
            self.on = on

    def schedule(self, text: str, folded: str) -> Schedule:
        due = tuple(sorted(set(self.milestones)))
        if self.every:
            return Schedule(PERIODIC, due, self.every, self.until or self._plan_end(), text, self.start, self.on)
        if self.ongoing:
            until = self.until or (date(due[-1].year, 12, 31) if due else self.last_year_end())
            return Schedule(ONGOING, due, None, until, text, self.start)
        if due:
            return Schedule(ONCE, due, text=text, start=self.start)
        return Schedule(UNRESOLVED, text=text, reason=_why_unread(folded))

    def _plan_end(self) -> date | None:
        # A recurrence with no end runs through a plan of several years; in a plan of
        # one year, the report dates stop at that year (engine.deadlines.report_dates).
        return self.last_year_end() if self.plan.first < self.plan.last else None


class _Aliased:
    """A match whose pattern has two alternatives naming the same groups ("day2" for
    "day"): reads the group of whichever alternative matched."""

    def __init__(self, match: re.Match[str]) -> None:
        self._match = match

    def group(self, name: str | int = 0) -> str | None:
        value = self._match.group(name)
        if value is None and isinstance(name, str) and f"{name}2" in self._match.re.groupindex:
            value = self._match.group(f"{name}2")
        return value


def _why_unread(folded: str) -> str:
    if _CONDITION.search(folded):
        return CONDITION
    if _DURATION.search(folded):
        return DURATION
    if re.search(r"\btheo\b", folded):
        return REFERENCE
    return UNREAD


def _interval(text: str, year: int, end: date | None) -> tuple[date, date] | None:
    """The first and last day a date expression covers ("tháng 3" → 1/3 … 31/3)."""
    text = text.strip()
    if m := re.fullmatch(r"(?:ngay\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day = _safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return (day, day) if day else None
    if m := re.fullmatch(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*(?:nam\s*)?(\d{4}))?", text):
        day = _safe_date(int(m.group(3) or year), int(m.group(2)), int(m.group(1)))
        return (day, day) if day else None
    if m := re.fullmatch(r"(?:ngay\s*)?(\d{1,2})/(\d{1,2})", text):
        day = _safe_date(year, int(m.group(2)), int(m.group(1)))
        return (day, day) if day else None
    if m := re.fullmatch(r"ngay\s*(\d{1,2})", text):  # "từ ngày 08 đến ngày 10 tháng 12": the end's month
        day = _safe_date(end.year, end.month, int(m.group(1))) if end else None
        return (day, day) if day else None
    if m := re.fullmatch(r"(?:thang\s*)?(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?", text):
        month, in_year = int(m.group(1)), int(m.group(2) or year)
        return (date(in_year, month, 1), _month_end(month, in_year)) if 1 <= month <= 12 else None
    if m := re.fullmatch(r"quy\s+([ivx1-4lt|]+)(?:\s*(?:/|nam)\s*(\d{4}))?", text):
        quarter, in_year = _quarter_number(m.group(1)), int(m.group(2) or year)
        return (date(in_year, quarter * 3 - 2, 1), _month_end(quarter * 3, in_year)) if quarter else None
    if m := re.fullmatch(r"(?:nam\s*)?(\d{4})", text):
        return date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 31)
    return None


def _is_year(text: str) -> bool:
    return re.fullmatch(r"\s*(?:nam\s*)?\d{4}\s*", text) is not None


def _frequency(words: str) -> str:
    return next(code for code, pattern in _FREQUENCY_WORDS if pattern.search(words))


_OCR_ROMAN = str.maketrans({"l": "i", "1": "i", "|": "i", "t": "i"})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _quarter_number(token: str) -> int | None:
    if token.isdigit() and set(token) != {"1"}:
        return int(token) if 1 <= int(token) <= 4 else None
    return _ROMAN.get(token.translate(_OCR_ROMAN))  # OCR reads "II" as "Il", "11" or "ITI"


def _year(clause: str) -> int | None:
    match = re.search(r"\bn\w{1,2}m\s*(\d{4})\b|(?:^|\D)(?:/|-)(\d{4})\b|^\W*(\d{4})\b", clause)
    return int(next(g for g in match.groups() if g)) if match else None


def _month_end(month: int, year: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
