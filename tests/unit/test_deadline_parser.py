"""engine.importing.deadline_phrases: every row of the deadline table in docs/domain.md, and OCR damage."""
from __future__ import annotations

from datetime import date

import pytest

from engine.importing.deadline_phrases import (
    PlanYears,
    Schedule,
    most_common_year,
    parse_deadline,
    plan_years,
)


def _schedule(text: str, plan_year: int = 2024) -> dict:
    return parse_deadline(text, plan_year).to_dict()


@pytest.mark.parametrize(
    "text, due",
    [
        ("Quý I năm 2024", ["2024-03-31"]),
        ("Quý II, III, IV năm 2024", ["2024-06-30", "2024-09-30", "2024-12-31"]),
        ("Trong tháng 9/2021", ["2021-09-30"]),
        ("tháng 5/2024", ["2024-05-31"]),
        ("tháng 2/2024", ["2024-02-29"]),
        ("Năm 2022", ["2022-12-31"]),
        ("Trước ngày 15/10/2024", ["2024-10-15"]),
        ("Quý 3/2025", ["2025-09-30"]),
    ],
)
def test_dated_phrases_are_due_once(text: str, due: list[str]) -> None:
    assert _schedule(text) == {"kind": "once", "due": due, "every": None, "until": None}


@pytest.mark.parametrize(
    "text, plan_year, until",
    [
        ("Thường xuyên", 2023, "2023-12-31"),
        ("Thường xuyên trong năm 2024", 2023, "2024-12-31"),
        ("Thường xuyên trong năm", 2025, "2025-12-31"),
    ],
)
def test_ongoing_runs_until_the_years_end(text: str, plan_year: int, until: str) -> None:
    assert _schedule(text, plan_year) == {"kind": "ongoing", "due": [], "every": None, "until": until}


@pytest.mark.parametrize(
    "text, every",
    [("Định kỳ hàng tháng", "P1M"), ("hằng năm", "P1Y"), ("Hàng năm", "P1Y"), ("Định kỳ hằng quý", "P3M")],
)
def test_periodic(text: str, every: str) -> None:
    schedule = _schedule(text)
    assert (schedule["kind"], schedule["every"], schedule["due"]) == ("periodic", every, [])


def test_periodic_within_the_year_stops_at_its_end() -> None:
    assert _schedule("Định kỳ hàng tháng trong năm.", 2024)["until"] == "2024-12-31"


def test_a_milestone_then_periodic_reports_with_a_frequency() -> None:
    schedule = _schedule("Quý I năm 2024, ban hành kế hoạch; định kỳ hằng quý báo cáo kết quả")
    assert schedule == {"kind": "periodic", "due": ["2024-03-31"], "every": "P3M", "until": None}


@pytest.mark.parametrize(
    "text",
    [
        "Quý I năm 2024, ban hành kế hoạch; định kỳ báo cáo",
        "Quý I năm 2024, ban hành kế hoạch; định kỳ báo cáo kết quả thực hiện theo quy định.",
        "trong tháng 5/2024; các nhiệm vụ còn lại thường xuyên trong năm 2024",
        "Quý I năm 2024, xây dựng kế hoạch; tổ chức kiểm tra đột xuất trong năm 2024",
    ],
)
def test_a_milestone_then_ongoing(text: str) -> None:
    schedule = _schedule(text)
    assert schedule["kind"] == "ongoing"
    assert len(schedule["due"]) == 1 and schedule["until"] == "2024-12-31"


@pytest.mark.parametrize(
    "text",
    [
        "Theo Kế hoạch số 140/KH-UBND ngày 14/10/2021 của UBND tỉnh",
        "Theo quy định của Chính phủ",
        "Khi có yêu cầu của cấp trên",
        "",
    ],
)
def test_unresolved_keeps_the_text(text: str) -> None:
    schedule = _schedule(text)
    assert schedule["kind"] == "unresolved" and schedule["due"] == [] and schedule["text"] == text


def test_document_references_are_no_deadlines() -> None:
    text = "Thường xuyên trong năm, theo Kế hoạch giai đoạn 2021 - 2025 tại Quyết định số 77/QĐ-UBND ngày 30/11/2021"
    assert _schedule(text, 2024) == {"kind": "ongoing", "due": [], "every": None, "until": "2024-12-31"}


@pytest.mark.parametrize(
    "text, due",
    [
        ("Quy I nam 2024", ["2024-03-31"]),
        ("Quy Il nam 2024", ["2024-06-30"]),
        ("Quy 11 nam 2024", ["2024-06-30"]),
        ("Quy II, ITI, IV nidm 2024", ["2024-06-30", "2024-09-30", "2024-12-31"]),
        ("thang 9/2021", ["2021-09-30"]),
        ("Trong thang 9/2021.", ["2021-09-30"]),
    ],
)
def test_ocr_damaged_dates(text: str, due: list[str]) -> None:
    assert _schedule(text)["due"] == due


@pytest.mark.parametrize("text", ["Thuong xuyen", "Thuong xuyén.", "Thudng xuyén trong ndm 2024.", "Thudong xuyen"])
def test_ocr_damaged_ongoing(text: str) -> None:
    assert _schedule(text, 2024)["kind"] == "ongoing"
    assert _schedule(text, 2024)["until"] == "2024-12-31"


def test_ocr_damaged_periodic() -> None:
    assert _schedule("Hang nam.")["every"] == "P1Y"


def test_schedule_dates_are_dates() -> None:
    assert parse_deadline("Quý I năm 2024", 2024).due == (date(2024, 3, 31),)


def test_plan_year_is_the_year_deadlines_name_most() -> None:
    texts = ["Quý I năm 2024", "tháng 5/2024", "Theo Quyết định số 12/2023/QĐ-UBND ngày 1/2/2023", "Năm 2025"]
    assert most_common_year(texts) == 2024


# Phrases the deadline table does not list but plans of other offices use.
@pytest.mark.parametrize(
    "text, due",
    [
        ("Trước ngày 30/6/2025", ["2025-06-30"]),
        ("Trước 15/12/2025", ["2025-12-15"]),
        ("Tháng 6/2025", ["2025-06-30"]),
        ("Tháng 02/2025", ["2025-02-28"]),
        ("Quý III/2025", ["2025-09-30"]),
        ("6 tháng đầu năm 2025", ["2025-06-30"]),
        ("6 tháng cuối năm 2025", ["2025-12-31"]),
        ("30/6/2025", ["2025-06-30"]),
        ("30-9-2025", ["2025-09-30"]),
        ("Trước ngày 30-6-2025", ["2025-06-30"]),
        ("30.6.2025", ["2025-06-30"]),
        ("Trước ngày 30/6", ["2025-06-30"]),  # no year: the plan's
        ("Truoc ngay 30/6/2025", ["2025-06-30"]),  # OCR lost the diacritics
        ("Quy III/2025", ["2025-09-30"]),
        ("6 thang dau nam 2025 va truoc ngay 15/12/2025", ["2025-06-30", "2025-12-15"]),
    ],
)
def test_common_dated_phrases(text: str, due: list[str]) -> None:
    assert _schedule(text, 2025) == {"kind": "once", "due": due, "every": None, "until": None}


@pytest.mark.parametrize(
    "text, every, on",
    [("Hằng quý", "P3M", None), ("Hằng tháng, trước ngày 20", "P1M", "---20"), ("Hang quy", "P3M", None),
     ("Hằng quý, trước ngày 15 của tháng cuối quý", "P3M", "---15"), ("Hằng năm, trước ngày 15/12", "P1Y", "--12-15")],
)
def test_common_periodic_phrases(text: str, every: str, on: str | None) -> None:
    # The day a recurrence names is kept ("on", ISO 8601 recurring day / month-day).
    expected = {"kind": "periodic", "due": [], "every": every, "until": None} | ({"on": on} if on else {})
    assert _schedule(text, 2025) == expected


@pytest.mark.parametrize(
    "text", ["Năm 2025 - 2026", "Năm 2025-2026", "Giai đoạn 2025 - 2026", "Từ năm 2025 đến năm 2026", "2025 – 2026"]
)
def test_a_span_of_years_is_ongoing_until_the_last_years_end(text: str) -> None:
    # The task runs through both years: reported on every period until 2026 ends
    # (not a single milestone on 2026-12-31, which would hide it for two years).
    assert _schedule(text, 2025) == {"kind": "ongoing", "due": [], "every": None, "until": "2026-12-31"}


def test_a_milestone_then_a_span_of_years() -> None:
    schedule = _schedule("Quý I năm 2025, ban hành đề án; năm 2025 - 2026 triển khai", 2025)
    assert schedule == {"kind": "ongoing", "due": ["2025-03-31"], "every": None, "until": "2026-12-31"}


def test_a_period_named_as_a_reference_is_still_no_deadline() -> None:
    text = "Thường xuyên, theo Đề án giai đoạn 2021 - 2025 tại Quyết định số 12/QĐ-UBND ngày 12-3-2021"
    assert _schedule(text, 2025) == {"kind": "ongoing", "due": [], "every": None, "until": "2025-12-31"}


# The phrases issue 12 found misread, and the forms it lists.
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Trước ngày 15 tháng 10 năm 2025", {"kind": "once", "due": ["2025-10-15"]}),
        ("ngày 15 tháng 10", {"kind": "once", "due": ["2025-10-15"]}),
        ("chậm nhất là ngày 30/9/2025", {"kind": "once", "due": ["2025-09-30"]}),
        ("Không quá ngày 20/8/2025", {"kind": "once", "due": ["2025-08-20"]}),
        ("Dự kiến quý III/2025", {"kind": "once", "due": ["2025-09-30"]}),
        ("Đến hết năm 2025", {"kind": "once", "due": ["2025-12-31"]}),
        ("Định kỳ 6 tháng", {"kind": "periodic", "every": "P6M"}),
        ("Báo cáo 6 tháng một lần", {"kind": "periodic", "every": "P6M"}),
        ("Hằng tuần", {"kind": "periodic", "every": "P1W"}),
        ("Hằng tháng", {"kind": "periodic", "every": "P1M"}),
        ("Trước ngày 10 hằng tháng", {"kind": "periodic", "every": "P1M", "on": "---10"}),
        ("Trước 15/12 hằng năm", {"kind": "periodic", "every": "P1Y", "on": "--12-15"}),
        ("Hằng năm, trước ngày 15/12", {"kind": "periodic", "every": "P1Y", "on": "--12-15"}),
        ("Từ tháng 3 đến tháng 6 năm 2025", {"kind": "once", "due": ["2025-06-30"], "start": "2025-03-01"}),
        ("Từ ngày 01/7/2025 đến ngày 31/12/2025", {"kind": "once", "due": ["2025-12-31"], "start": "2025-07-01"}),
        ("Từ tháng 7/2025", {"kind": "ongoing", "until": "2025-12-31", "start": "2025-07-01"}),
        ("Liên tục", {"kind": "ongoing", "until": "2025-12-31"}),
        ("Trong năm", {"kind": "ongoing", "until": "2025-12-31"}),
        ("Trước ngày 31/01 năm sau", {"kind": "once", "due": ["2026-01-31"]}),
        ("Quý I năm tiếp theo", {"kind": "once", "due": ["2026-03-31"]}),
        ("Chậm nhất là ngày 31/12 năm trước liền kề", {"kind": "once", "due": ["2024-12-31"]}),
        ("Quý I năm 2025, ban hành kế hoạch; định kỳ hằng quý báo cáo",
         {"kind": "periodic", "due": ["2025-03-31"], "every": "P3M"}),
        ("6 tháng đầu năm", {"kind": "once", "due": ["2025-06-30"]}),
    ],
)
def test_the_forms_issue_12_names(text: str, expected: dict) -> None:
    schedule = _schedule(text, 2025)
    assert {key: schedule.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Theo Kế hoạch số 140/KH-UBND ngày 14/10/2021 của UBND tỉnh", "reference"),
        ("Theo quy định", "reference"),
        ("Khi có yêu cầu của cấp trên", "condition"),
        ("Sau khi Nghị định được ban hành", "condition"),
        ("01 ngày/hội nghị", "duration"),
        ("", "empty"),
        ("Sớm nhất có thể", "unread"),
    ],
)
def test_an_unresolved_phrase_says_why(text: str, reason: str) -> None:
    schedule = _schedule(text, 2025)
    assert (schedule["kind"], schedule["reason"], schedule["text"]) == ("unresolved", reason, text)


def test_a_multi_year_plans_ongoing_and_recurring_tasks_run_to_its_last_year() -> None:
    years = PlanYears(2026, 2030)
    assert parse_deadline("Thường xuyên", years).until == date(2030, 12, 31)
    assert parse_deadline("Hằng năm", years).until == date(2030, 12, 31)
    assert parse_deadline("Trước ngày 31/01 năm liền kề", years).to_dict() == {
        "kind": "periodic", "due": [], "every": "P1Y", "until": "2030-12-31", "on": "--01-31"}
    # A year the task names overrides the plan's.
    assert parse_deadline("Thường xuyên trong năm 2027", years).until == date(2027, 12, 31)
    assert parse_deadline("Tháng 12/2025", years).due == (date(2025, 12, 31),)
    # A date without a year is in the plan's first year.
    assert parse_deadline("Trước ngày 30/6", years).due == (date(2026, 6, 30),)


@pytest.mark.parametrize(
    "title, texts, issued, years",
    [
        ("Kế hoạch cải cách hành chính nhà nước giai đoạn 2026 - 2030", ["Hằng năm"], None, (2026, 2030)),
        ("Thực hiện lộ trình đổi mới công nghệ đến năm 2035", ["Thường xuyên"], date(2025, 11, 19), (2025, 2035)),
        ("Kế hoạch cải cách hành chính năm 2024", ["Quý I năm 2024", "tháng 5/2024"], None, (2024, 2024)),
        ("Khắc phục hạn chế", ["Thường xuyên"], date(2021, 8, 27), (2021, 2021)),
        ("GIAI ĐOẠN 2026 - 2030, TẦM NHÌN ĐẾN NĂM 2045", ["Thường xuyên"], None, (2026, 2030)),
    ],
)
def test_a_plans_years_come_from_its_period_title_or_deadlines(title, texts, issued, years) -> None:
    assert plan_years(title, texts, issued) == PlanYears(*years)


# Forms other offices write, each in a few spellings (phrases written for this test).
@pytest.mark.parametrize(
    "text, due, start",
    [
        ("Quí II/2026", ["2026-06-30"], None),  # "quí" is another spelling of "quý"
        ("Hoàn thành trong quí IV năm 2026", ["2026-12-31"], None),
        ("Quý I-2026", ["2026-03-31"], None),  # a hyphen before the year, not a span
        ("QUÍ III - 2026", ["2026-09-30"], None),
        ("Tháng 8-2026", ["2026-08-31"], None),
        ("Quý II và Quý III năm 2026", ["2026-06-30", "2026-09-30"], None),
        ("quý I và quý IV/2026", ["2026-03-31", "2026-12-31"], None),
        ("Tháng 9 - 11/2026", ["2026-11-30"], "2026-09-01"),  # a span of months, the year once
        ("tháng 02-04/2026", ["2026-04-30"], "2026-02-01"),
        ("Trước 15 tháng 3 năm 2026", ["2026-03-15"], None),  # a long date without "ngày"
        ("chậm nhất 05 tháng 11 năm 2026", ["2026-11-05"], None),
    ],
)
def test_other_offices_dated_forms(text: str, due: list[str], start: str | None) -> None:
    schedule = _schedule(text, 2026)
    assert (schedule["kind"], schedule["due"], schedule.get("start")) == ("once", due, start)


@pytest.mark.parametrize(
    "text, until, start",
    [
        ("Năm học 2026 - 2027", "2027-05-31", "2026-09-01"),  # September to the end of May
        ("Trong năm học 2026-2027", "2027-05-31", "2026-09-01"),
        ("Từ nay đến hết năm 2026", "2026-12-31", None),  # from the plan's start, running
        ("Từ nay đến năm 2028", "2028-12-31", None),
        ("từ nay tới 30/9/2026", "2026-09-30", None),
    ],
)
def test_periods_that_run_are_ongoing(text: str, until: str, start: str | None) -> None:
    schedule = _schedule(text, 2026)
    assert (schedule["kind"], schedule["until"], schedule.get("start")) == ("ongoing", until, start)


@pytest.mark.parametrize("text", ["Đột xuất", "Kịp thời khi có phát sinh", "Thực hiện kịp thời", "Khi cần thiết"])
def test_events_are_unresolved_as_conditions(text: str) -> None:
    schedule = _schedule(text, 2026)
    assert (schedule["kind"], schedule["reason"]) == ("unresolved", "condition")


@pytest.mark.parametrize(
    "text, kind, due, until",
    [
        ("Năm 2O27", "once", ["2027-12-31"], None),  # a scan's letter O inside a year
        ("Quý III/2O27", "once", ["2027-09-30"], None),
        ("Tháng 4/20O7", "once", ["2007-04-30"], None),
        ("Thường xu yên", "ongoing", [], "2026-12-31"),  # a word split by a space
        ("Thường xuyê n trong năm 2O27", "ongoing", [], "2027-12-31"),
    ],
)
def test_what_a_scan_does_to_deadline_words(text: str, kind: str, due: list[str], until: str | None) -> None:
    schedule = _schedule(text, 2026)
    assert (schedule["kind"], schedule["due"], schedule["until"]) == (kind, due, until)


@pytest.mark.parametrize("text", ["Quý I năm 2024", "Thường xuyên", "Định kỳ hằng quý", "Trước ngày 10 hằng tháng",
                                  "Từ tháng 7/2025", "Trước ngày 15/12 hằng năm", "Hằng tuần", "Khi có yêu cầu", ""])
def test_a_schedule_comes_back_from_its_dict_as_it_went(text: str) -> None:
    sent = _schedule(text)
    assert Schedule.from_dict(sent).to_dict() == sent


@pytest.mark.parametrize("sent", [
    "once", None, {"kind": "later"}, {"kind": "once", "due": "2024-03-31"}, {"kind": "once", "due": ["2024-02-30"]},
    {"kind": "once", "due": [20240331]}, {"kind": "ongoing", "until": "abc"}, {"kind": "ongoing", "start": ["2025"]},
    {"kind": "periodic", "every": "P2Q"}, {"kind": "periodic", "every": "P1M", "on": "---32"},
    {"kind": "periodic", "every": "P1Y", "on": "--13-45"}, {"kind": "periodic", "every": "P1Y", "on": "--02-30"},
    {"kind": "unresolved", "text": ["a"]},
])
def test_a_dict_that_is_not_a_schedule_is_refused(sent: object) -> None:
    with pytest.raises(ValueError):
        Schedule.from_dict(sent)
