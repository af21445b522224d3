"""engine.importing.parse_blocks on plans written for these tests, in the genre:
a numbered list with labelled fields, a table appendix, an OCR-damaged scan."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from adapters.readers import read_blocks
from engine.importing import Block, ImportResult, NoTaskFound, parse_blocks
from tests.support.unit_directory import office_directory
from web.i18n import cli_gettext

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def _parse(name: str) -> ImportResult:
    return parse_blocks(read_blocks(PLANS / name), office_directory())


def _tasks(result: ImportResult) -> dict[str, dict]:
    return {t["ref"]: t for t in result.to_dict()["tasks"]}


@pytest.fixture(scope="module")
def numbered() -> ImportResult:
    return _parse("numbered_list.md")


def test_plan_header(numbered: ImportResult) -> None:
    plan = numbered.plan
    assert (plan.number, plan.issued_on, plan.year) == ("58/KH-UBND", date(2025, 2, 14), 2025)
    assert plan.title.startswith("Nâng cao chất lượng giải quyết")
    assert plan.monitor is not None and plan.monitor.name == "Phòng Nội vụ"


def test_only_the_tasks_section_holds_tasks(numbered: ImportResult) -> None:
    assert list(_tasks(numbered)) == ["1", "2", "3.1", "3.2", "4", "5"]


def test_labelled_fields(numbered: ImportResult) -> None:
    task = _tasks(numbered)["1"]
    assert task["title"].startswith("Rà soát, chuẩn hóa danh mục")
    assert task["lead"] == ["Phòng Nội vụ"]
    assert task["coordinators"] == ["Văn phòng HĐND và UBND huyện", "UBND cấp xã"]
    assert task["product"] == "Quyết định phê duyệt danh mục."
    assert "2,5 điểm" in task["content"]
    assert task["schedule"]["due"] == ["2025-06-30"]


def test_a_neutral_label_lets_the_phrase_decide_the_role(numbered: ImportResult) -> None:
    task = _tasks(numbered)["2"]
    assert task["lead"] == ["Phòng Nội vụ"]
    assert task["coordinators"] == ["Trung tâm Văn hóa - Thông tin huyện"]
    assert task["director"] == "Phó Chủ tịch UBND tỉnh"


def test_sub_items_with_their_own_lead_and_deadline_are_tasks(numbered: ImportResult) -> None:
    first, second = _tasks(numbered)["3.1"], _tasks(numbered)["3.2"]
    assert first["title"] == "Thiết lập đường dây nóng tại Bộ phận Một cửa huyện"
    assert first["schedule"]["due"] == ["2025-03-31"]
    assert second["schedule"]["kind"] == "ongoing"


def test_an_explicit_label_wins_over_a_phrase_in_the_text(numbered: ImportResult) -> None:
    task = _tasks(numbered)["3.2"]
    assert task["lead"] == ["Phòng Văn hóa và Thông tin"]
    assert task["coordinators"] == ["Các cơ quan, đơn vị có liên quan"]


def test_groups_and_unresolved_deadlines_are_kept(numbered: ImportResult) -> None:
    tasks = _tasks(numbered)
    assert tasks["4"]["lead"] == ["Các sở, ban ngành"] and tasks["4"]["schedule"]["every"] == "P3M"
    assert tasks["5"]["schedule"]["kind"] == "unresolved"
    assert any("Nhiệm vụ 5" in w for w in numbered.warnings)


def test_unknown_units_are_offered_as_new(numbered: ImportResult) -> None:
    new = {u.name for u in numbered.new_units}
    assert {"Phòng Nội vụ", "Văn phòng HĐND và UBND huyện"} <= new
    assert any("Phòng Nội vụ" in w for w in numbered.warnings)


def test_table_appendix() -> None:
    result = _parse("appendix_table.md")
    tasks = _tasks(result)
    assert list(tasks) == ["I.1", "I.2", "II.1", "II.2"]
    assert tasks["I.2"]["coordinators"] == ["Các sở, ban ngành", "UBND cấp huyện"]
    assert tasks["I.2"]["schedule"]["due"] == ["2023-09-30", "2023-12-31"]
    assert tasks["II.1"]["lead"] == ["Phòng Hành chính tư pháp"]  # not a look-alike unit
    assert tasks["II.2"]["schedule"]["every"] == "P1M"
    assert result.plan.year == 2023


@pytest.fixture(scope="module")
def scan() -> ImportResult:
    return _parse("ocr_scan.txt")


def test_ocr_header(scan: ImportResult) -> None:
    assert (scan.plan.number, scan.plan.issued_on, scan.plan.year) == ("27/KH-UBND", date(2022, 4, 5), 2022)
    assert scan.plan.title.startswith("Khac phuc han ché")


def test_ocr_lettered_fields_are_no_sub_items(scan: ImportResult) -> None:
    assert list(_tasks(scan)) == ["1", "2", "3"]  # "2" lost its dot in the scan


def test_ocr_labels_and_roles(scan: ImportResult) -> None:
    task = _tasks(scan)["1"]
    assert task["lead"] == ["Cong chirc Van phong - Thong ké"]
    assert task["coordinators"] == ["Cong an xa", "Doan Thanh nién xa"]
    assert task["schedule"]["kind"] == "ongoing"


def test_ocr_deadlines_and_broken_lines(scan: ImportResult) -> None:
    tasks = _tasks(scan)
    assert tasks["2"]["schedule"]["due"] == ["2022-06-30"]
    assert tasks["3"]["title"].endswith("tren dia ban xa")  # page number dropped, line rejoined
    assert tasks["3"]["schedule"]["due"] == ["2022-09-30"]


def test_ocr_monitor_is_not_a_look_alike(scan: ImportResult) -> None:
    assert scan.plan.monitor is not None and scan.plan.monitor.new


def test_json_shape(numbered: ImportResult) -> None:
    data = json.loads(numbered.to_json())
    assert set(data) == {"plan", "tasks", "warnings"}
    assert set(data["plan"]) == {"number", "issued_on", "year", "monitor", "title"}
    assert set(data["tasks"][0]) == {
        "ref", "title", "content", "lead", "coordinators", "director", "product", "deadline_text", "schedule",
        "guessed", "source", "as_written", "deadline_from",
    }
    assert "Nội vụ" in numbered.to_json()  # UTF-8, not \\u escapes


def test_no_task_found() -> None:
    blocks = [Block.paragraph("Kính gửi: các đơn vị"), Block.paragraph("Đề nghị các đơn vị báo cáo đúng hạn.")]
    with pytest.raises(NoTaskFound, match="No task was found") as raised:
        parse_blocks(blocks, office_directory())
    # An English msgid, shown in Vietnamese through the catalogue, saying what was looked for.
    shown = cli_gettext(raised.value.msgid)
    assert shown.startswith("Không tìm thấy nhiệm vụ")
    assert all(looked_for in shown for looked_for in ("mục đánh số", "Nhiệm vụ", "Chủ trì", "Giao Sở"))


def test_two_fields_on_one_line() -> None:
    blocks = [
        Block.paragraph("1. Số hóa sổ hộ tịch"),
        Block.paragraph("- Cơ quan chủ trì: Sở Tư pháp; Cơ quan phối hợp: UBND cấp huyện. Thời gian: Năm 2025."),
    ]
    task = parse_blocks(blocks, office_directory()).to_dict()["tasks"][0]
    assert (task["lead"], task["coordinators"]) == (["Sở Tư pháp"], ["UBND cấp huyện"])
    assert task["schedule"]["due"] == ["2025-12-31"]
