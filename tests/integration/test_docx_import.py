"""The .docx path on real Word files, built here with python-docx.

Each sample plan becomes a Word file of paragraphs; a Markdown sample (a Word export
whose tasks are a labelled list) also becomes a Word appendix table with the columns
TT / Nhiệm vụ / Cơ quan chủ trì / Cơ quan phối hợp / Thời gian. Each must score what
the original scores. The project's own fixtures check the same without ../shared.
"""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from adapters.readers import read_blocks
from engine.importing import Block, ImportResult, UnitDirectory, parse_blocks
from tests.support.import_scoring import (
    expected_of,
    import_json,
    report,
    sample_plans,
    score,
)
from tests.support.unit_directory import office_directory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
TABLE_HEADING = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"]


def _as_paragraphs(blocks: list[Block], path: Path) -> Path:
    document = docx.Document()
    for block in blocks:
        if block.is_row:
            _table(document, [list(block.cells)])
        else:
            document.add_paragraph(block.text)
    document.save(path)
    return path


def _as_appendix_table(result: ImportResult, path: Path) -> Path:
    """The plan as a Word file whose tasks are the rows of an appendix table, after its
    letterhead, title and organisation section."""
    document = docx.Document()
    plan = result.plan
    if plan.number:
        document.add_paragraph(f"Số: {plan.number}")
    if plan.issued_on:
        day = plan.issued_on
        document.add_paragraph(f"Hà Nội, ngày {day.day} tháng {day.month} năm {day.year}")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph(plan.title or f"Năm {plan.year}")
    if plan.monitor:
        document.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
        document.add_paragraph(f"Giao {plan.monitor.name} theo dõi, đôn đốc, báo cáo kết quả thực hiện.")
    document.add_paragraph("PHỤ LỤC: DANH MỤC NHIỆM VỤ")
    rows = [
        [t.ref, t.title, "; ".join(u.name for u in t.lead), "; ".join(u.name for u in t.coordinators), t.deadline_text]
        for t in result.tasks
    ]
    _table(document, [TABLE_HEADING, *rows])
    document.save(path)
    return path


def _table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for cells, values in zip(table.rows, rows):
        for cell, value in zip(cells.cells, values):
            cell.text = value


def _parse(path: Path) -> ImportResult:
    return parse_blocks(read_blocks(path), office_directory())


@pytest.mark.parametrize("plan", sample_plans())
def test_sample_as_word_paragraphs(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    expected = expected_of(plan)
    from_text, _ = score(expected, import_json(plan), tmp_path)
    word = _as_paragraphs(read_blocks(plan), tmp_path / f"{plan.stem}.docx")
    from_word, details = score(expected, import_json(word), tmp_path)
    report(request, "docx score", from_word, details)
    assert from_word == from_text, details


@pytest.mark.parametrize("plan", [p for p in sample_plans() if p.values[0] is None or p.values[0].suffix == ".md"])
def test_sample_as_word_appendix_table(plan: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    expected = expected_of(plan)
    from_text, _ = score(expected, import_json(plan), tmp_path)
    word = _as_appendix_table(_parse(plan), tmp_path / f"{plan.stem}-table.docx")
    from_word, details = score(expected, import_json(word), tmp_path)
    report(request, "docx table score", from_word, details)
    assert from_word == from_text, details


@pytest.mark.parametrize("name", ["numbered_list.md", "ocr_scan.txt"])
def test_fixture_as_word_paragraphs_reads_the_same(name: str, tmp_path: Path) -> None:
    source = FIXTURES / name
    word = _as_paragraphs(read_blocks(source), tmp_path / "plan.docx")
    assert _parse(word).to_dict() == _parse(source).to_dict()


def test_fixture_appendix_as_word_table_reads_the_same(tmp_path: Path) -> None:
    source = FIXTURES / "appendix_table.md"
    word = _as_paragraphs(read_blocks(source), tmp_path / "plan.docx")
    assert [b.is_row for b in read_blocks(word)].count(True) == 7
    assert _parse(word).to_dict()["tasks"] == _parse(source).to_dict()["tasks"]


def test_word_automatic_numbering_is_read(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Cập nhật cơ sở dữ liệu hộ tịch", style="List Number")
    document.add_paragraph("- Cơ quan chủ trì: Sở Tư pháp.")
    document.add_paragraph("- Thời gian: Quý II năm 2025.")
    document.add_paragraph("Tập huấn nghiệp vụ chứng thực", style="List Number")
    document.add_paragraph("- Cơ quan phối hợp: UBND cấp huyện.")
    document.add_paragraph("- Thời gian: Thường xuyên.")
    document.save(tmp_path / "numbered.docx")
    tasks = _parse(tmp_path / "numbered.docx").to_dict()["tasks"]
    assert [(t["ref"], t["title"]) for t in tasks] == [
        ("1", "Cập nhật cơ sở dữ liệu hộ tịch"), ("2", "Tập huấn nghiệp vụ chứng thực"),
    ]
    assert tasks[0]["schedule"]["due"] == ["2025-06-30"]


def test_word_merged_cells_keep_the_columns_in_line(tmp_path: Path) -> None:
    """A cell merged across the lead and coordinating columns (Word's gridSpan) stays
    in the lead column; one merged down (vMerge) is read on every row it covers."""
    document = docx.Document()
    table = document.add_table(rows=4, cols=5)
    for row, values in zip(table.rows, [TABLE_HEADING,
                                        ["1", "Số hóa hồ sơ", "Sở Nội vụ", "Sở Tư pháp", "Quý II năm 2026"],
                                        ["2", "Rà soát quy trình", "Theo phân công của UBND tỉnh", "", "Năm 2026"],
                                        ["3", "Công khai kết quả", "Văn phòng UBND tỉnh", "Sở Nội vụ", ""]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(2, 2).merge(table.cell(2, 3))
    table.cell(2, 4).merge(table.cell(3, 4))
    tasks = {t.ref: t for t in parse_blocks(read_blocks(_save(document, tmp_path)), UnitDirectory([])).tasks}
    assert [u.name for u in tasks["2"].coordinators] == []
    assert tasks["2"].deadline_text == "Năm 2026" and tasks["3"].deadline_text == "Năm 2026"
    assert [u.name for u in tasks["3"].coordinators] == ["Sở Nội vụ"]


def _save(document, folder: Path) -> Path:
    path = folder / "merged.docx"
    document.save(path)
    return path
