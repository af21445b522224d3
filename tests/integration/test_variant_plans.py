"""The project's own plans of the genre's common variants (tests/fixtures/plans/variant_*),
imported by the CLI and scored like the samples: each must reach 95%.

They show what the three samples do not: Roman-numeral sections where only the tasks
section holds tasks, an appendix table (STT | Nội dung nhiệm vụ | Cơ quan chủ trì | ...)
with group rows and merged cells, a district's and a department's units, deadline
phrases outside the domain table, letterhead forms, and OCR damage.
"""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tests.support.import_scoring import MIN_SCORE, SCORER, expected_of, import_json, report, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
VARIANTS = sorted(p for p in FIXTURES.glob("variant_*") if p.suffix in (".txt", ".md") and expected_of(p).is_file())
NO_SCORER = pytest.mark.skipif(not SCORER.is_file(), reason=f"the scorer is not here ({SCORER} is absent)")


@NO_SCORER
@pytest.mark.parametrize("plan", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_plan_scores(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    percent, details = score(expected_of(plan), import_json(plan), tmp_path)
    report(request, "import score", percent, details)
    assert percent >= MIN_SCORE, details


def test_there_are_variant_plans() -> None:
    assert len(VARIANTS) >= 4


# A district's plan as Word gives it: the letterhead in a borderless two-cell table, the
# tasks in an appendix table whose group rows ("I. ...") are merged across the row and
# whose lead cell is merged down over two tasks; numbering runs on across the groups.
LETTERHEAD = (
    "ỦY BAN NHÂN DÂN\nHUYỆN BÌNH SƠN\n\nSố: 27/KH-UBND",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nBình Sơn, ngày 10 tháng 4 năm 2025",
)
BODY = [
    "KẾ HOẠCH",
    "Nâng cao chất lượng phục vụ người dân, doanh nghiệp trên địa bàn huyện năm 2025",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Nâng cao mức độ hài lòng của người dân đối với sự phục vụ của cơ quan hành chính.",
    "II. NHIỆM VỤ, GIẢI PHÁP",
    "Các nhiệm vụ cụ thể tại Phụ lục kèm theo.",
    "III. TỔ CHỨC THỰC HIỆN",
    "1. Văn phòng HĐND và UBND huyện là cơ quan đầu mối, theo dõi, đôn đốc, tổng hợp, báo cáo Chủ tịch UBND huyện.",
    "2. Các cơ quan, đơn vị chủ trì nhiệm vụ báo cáo kết quả trước ngày 15 của tháng cuối quý./.",
    "PHỤ LỤC",
]
HEADING = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]
ROWS = [  # None: the cell is merged into the one above
    ["I. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"],
    ["1.", "Niêm yết, công khai thủ tục hành chính tại Bộ phận Một cửa huyện",
     "Văn phòng HĐND và UBND huyện", "UBND các xã, thị trấn", "Hằng quý", "Danh mục được niêm yết"],
    ["2.", "Tiếp nhận, giải quyết hồ sơ trực tuyến toàn trình", None,
     "Phòng Văn hóa và Thông tin huyện", "Hằng tháng, trước ngày 20", "Báo cáo tháng"],
    ["II. CẢI CÁCH TỔ CHỨC BỘ MÁY"],
    ["3.", "Rà soát vị trí việc làm của các cơ quan chuyên môn thuộc UBND huyện",
     "Phòng Nội vụ huyện (chủ trì), Phòng Tài chính - Kế hoạch huyện", "", "Trước ngày 30/9/2025", "Đề án vị trí việc làm"],
    ["4.", "Kiểm tra công vụ, kỷ luật, kỷ cương hành chính", "Phòng Nội vụ huyện",
     "Công an huyện; Thanh tra huyện", "Quý II, IV/2025", "Thông báo kết luận kiểm tra"],
    ["5.", "Triển khai mô hình chính quyền điện tử cấp xã", "UBND các xã, thị trấn",
     "Phòng Văn hóa và Thông tin huyện", "Năm 2025 - 2026", "Báo cáo sơ kết"],
]


def _district_docx(path: Path) -> Path:
    document = docx.Document()
    letterhead = document.add_table(rows=1, cols=2)
    for cell, text in zip(letterhead.rows[0].cells, LETTERHEAD):
        cell.text = text
    for text in BODY:
        document.add_paragraph(text)
    table = document.add_table(rows=len(ROWS) + 1, cols=len(HEADING))
    for cell, text in zip(table.rows[0].cells, HEADING):
        cell.text = text
    for r, values in enumerate(ROWS, 1):
        if len(values) == 1:
            table.cell(r, 0).merge(table.cell(r, len(HEADING) - 1)).text = values[0]
            continue
        for c, value in enumerate(values):
            if value is None:
                table.cell(r - 1, c).merge(table.cell(r, c))
            else:
                table.cell(r, c).text = value
    document.save(path)
    return path


@NO_SCORER
def test_district_word_table_scores(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    plan = _district_docx(tmp_path / "variant_district_table.docx")
    percent, details = score(FIXTURES / "variant_district_table.expected.json", import_json(plan), tmp_path)
    report(request, "docx table score", percent, details)
    assert percent >= MIN_SCORE, details
