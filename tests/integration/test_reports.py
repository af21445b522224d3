"""The period report as the monitor downloads it: open the .docx and .xlsx with
python-docx and openpyxl and check the heading, the counts and every row."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from adapters.reports.rows import day
from engine.reading.period_reports import period_report
from tests.e2e.web_helpers import login
from tests.support.office import KSTTHC, TTPV
from tests.support.progress_plan import TASKS, TODAY, progress_world

HEADER = ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Kết quả hoặc lý do chậm"]
TITLES = {t["ref"]: t["title"] for t in TASKS}
# The whole plan on TODAY: ref → (lead, coordinating, deadline, status, note starts with)
WHOLE_PLAN = {
    "1": (KSTTHC, "", "29/03/2024", "Hoàn thành đúng hạn", "Đã ban hành Quyết định rà soát"),
    "2": (KSTTHC, "", "29/02/2024", "Hoàn thành trễ hạn", "Hoàn thành trễ 2 ngày làm việc. Đã công bố danh mục"),
    "3": (TTPV, "", "29/02/2024", "Quá hạn", "Quá hạn 7 ngày làm việc. Đang ở bước: Báo cáo kết quả (Đặng Quốc Huy)."),
    "4": (TTPV, KSTTHC, "29/03/2024", "Đang thực hiện", "Đang ở bước: Phân công người thực hiện"),
    "5": (KSTTHC, "", "—", "Chờ xác định thời hạn", "Chưa xác định thời hạn."),
    "6": (f"{KSTTHC}, {TTPV}", "", "01/03/2024", "Quá hạn", "Quá hạn 6 ngày làm việc."),
}
SUMMARY = ("Tổng số 6 nhiệm vụ: 1 hoàn thành đúng hạn, 1 hoàn thành trễ hạn, 1 đang thực hiện, "
           "2 quá hạn, 1 chờ xác định thời hạn.")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'planflow.sqlite3'}"
    with progress_world(url) as (office, ids, app):
        client = app.test_client()
        login(client, "theodoi")
        yield office, ids, client


def download(client, plan_id: int, kind: str, query: str = "") -> bytes:
    response = client.get(f"/plans/{plan_id}/report.{kind}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    assert f".{kind}" in response.headers["Content-Disposition"]
    return response.data


def check_rows(rows: list[list[str]], expected: dict[str, tuple]) -> None:
    assert [r[0] for r in rows] == list(expected), "every task of the period, in the plan's order"
    for row in rows:
        lead, coordinating, deadline, status, note = expected[row[0]]
        assert row[1:6] == [TITLES[row[0]], lead, coordinating, deadline, status], row
        assert row[6].startswith(note), row


def test_the_word_report_has_the_heading_the_counts_and_every_task(world):
    _, ids, client = world
    document = Document(BytesIO(download(client, ids["plan"], "docx")))
    text = [p.text for p in document.paragraphs]
    assert "TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH SỐ 1/KH-TEST NGÀY 15/01/2024" in text
    assert "Kỳ báo cáo: toàn bộ kế hoạch; số liệu tính đến ngày 11/03/2024." in text
    assert SUMMARY in text
    letterhead, table, _closing = document.tables
    assert letterhead.rows[0].cells[0].text == "PHÒNG HÀNH CHÍNH - QUẢN TRỊ"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letterhead.rows[0].cells[1].text
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == HEADER
    check_rows(rows[1:], WHOLE_PLAN)


def test_the_excel_list_has_the_same_columns_a_filter_and_a_frozen_header(world):
    _, ids, client = world
    book = load_workbook(BytesIO(download(client, ids["plan"], "xlsx")))
    sheet = book["Nhiệm vụ"]
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    check_rows([[day(c) if isinstance(c, datetime) else c for c in row] for row in rows[1:]], WHOLE_PLAN)
    assert sheet.auto_filter.ref == "A1:G7"
    assert sheet.freeze_panes == "A2"
    summary = [row[0] for row in book["Tổng hợp"].iter_rows(values_only=True)]
    assert summary == ["Tiến độ thực hiện Kế hoạch số 1/KH-TEST ngày 15/01/2024",
                       "Kỳ báo cáo: toàn bộ kế hoạch; số liệu tính đến ngày 11/03/2024.", SUMMARY]


def test_a_past_period_reads_as_it_stood_on_its_last_day(world):
    """January-February: task 2 closed on 04/03, so on 29/02 it was still in progress."""
    office, ids, client = world
    report = period_report(office.uow(), ids["plan"], TODAY, date(2024, 1, 1), date(2024, 2, 29))
    assert report.as_of == date(2024, 2, 29)
    assert [(r.task.ref, r.task.state) for r in report.rows] == [
        ("2", "in_progress"), ("3", "in_progress"), ("5", "waiting_date")]
    assert report.counts["in_progress"] == 2 and report.counts["total"] == 3

    document = Document(BytesIO(download(client, ids["plan"], "docx", "?from=2024-01-01&to=2024-02-29")))
    text = [p.text for p in document.paragraphs]
    assert "Kỳ báo cáo: từ ngày 01/01/2024 đến ngày 29/02/2024; số liệu tính đến ngày 29/02/2024." in text
    assert ("Tổng số 3 nhiệm vụ: 0 hoàn thành đúng hạn, 0 hoàn thành trễ hạn, 2 đang thực hiện, "
            "0 quá hạn, 1 chờ xác định thời hạn.") in text
    assert [row.cells[0].text for row in document.tables[1].rows[1:]] == ["2", "3", "5"]
    sheet = load_workbook(BytesIO(download(client, ids["plan"], "xlsx", "?from=2024-01-01&to=2024-02-29"))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["2", "3", "5"]


def test_a_carried_over_overdue_task_is_in_the_next_period(world):
    office, ids, _ = world
    report = period_report(office.uow(), ids["plan"], TODAY, date(2024, 3, 5), date(2024, 3, 31))
    assert [(r.task.ref, r.task.state) for r in report.rows] == [
        ("1", "done_on_time"), ("3", "overdue"), ("4", "in_progress"), ("5", "waiting_date"), ("6", "overdue")]


def test_only_the_leadership_and_the_monitor_download_reports(world):
    _, ids, _ = world
    app_client = world[2].application.test_client()
    login(app_client, "cv.kstthc")
    assert app_client.get(f"/plans/{ids['plan']}/report.docx").status_code == 403


def test_the_word_report_is_one_an_office_can_number_sign_and_send(world):
    """Decree 30/2020/NĐ-CP: issuing unit and national heading, number and symbol, place
    and date, the kind and title, the body with the counts and the late tasks with their
    reasons, Nơi nhận, and the signer's title and name to fill."""
    _, ids, client = world
    document = Document(BytesIO(download(client, ids["plan"], "docx")))
    letterhead, table, closing = document.tables
    assert [c.text for c in letterhead.rows[1].cells] == ["Số: ……/BC-……", "……, ngày 11 tháng 3 năm 2024"]
    assert letterhead.rows[1].cells[1].paragraphs[0].runs[0].italic
    text = [p.text for p in document.paragraphs]
    assert text.index("BÁO CÁO") < text.index("TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH SỐ 1/KH-TEST NGÀY 15/01/2024")
    late = text.index("Các nhiệm vụ quá hạn (2):")
    assert text[late + 1].startswith(f"- 3 {TITLES['3']} ({TTPV}): Quá hạn 7 ngày làm việc.")
    assert text[late + 2].startswith(f"- 6 {TITLES['6']} ({KSTTHC}, {TTPV}): Quá hạn 6 ngày làm việc.")
    recipients, signer = closing.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:" and recipients.paragraphs[-1].text.startswith("- Lưu")
    assert signer.paragraphs[0].text == "CHỨC VỤ NGƯỜI KÝ" and signer.paragraphs[-1].text == "Họ và tên người ký"


def test_the_excel_dates_are_dates_and_each_lead_unit_has_its_sheet(world):
    _, ids, client = world
    book = load_workbook(BytesIO(download(client, ids["plan"], "xlsx")))
    sheet = book["Nhiệm vụ"]
    deadline = {row[0].value: row[4] for row in sheet.iter_rows(min_row=2)}
    assert deadline["1"].value == datetime(2024, 3, 29) and deadline["1"].number_format == "DD/MM/YYYY"
    assert deadline["5"].value == "—", "an undated task keeps its text"
    assert sheet.column_dimensions["B"].width == 60
    assert book.sheetnames == ["Nhiệm vụ", "Tổng hợp", KSTTHC[:31], TTPV[:31]]
    per_unit = book[KSTTHC[:31]]
    assert [r[0] for r in per_unit.iter_rows(min_row=2, values_only=True)] == ["1", "2", "5", "6"]
    assert per_unit.freeze_panes == "A2" and per_unit.auto_filter.ref == "A1:G5"
    assert per_unit["E2"].is_date


@pytest.mark.parametrize(("kind", "query", "name"), [
    ("docx", "", "bao-cao-tien-do-1-kh-test-ca-ke-hoach-2024-03-11.docx"),
    ("xlsx", "?from=2024-01-01&to=2024-02-29", "bao-cao-tien-do-1-kh-test-2024-01-01-den-2024-02-29.xlsx"),
])
def test_a_report_file_is_named_with_the_plan_number_and_the_period(world, kind, query, name):
    _, ids, client = world
    response = client.get(f"/plans/{ids['plan']}/report.{kind}{query}")
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
