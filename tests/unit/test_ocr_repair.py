"""OCR repairs of a scanned plan's text: letter item markers read with stray marks,
row numbers of a table's number column, the d/đ of letter items."""
from __future__ import annotations

from adapters.readers.ocr_repair import letter_items, renumber, repair_line
from engine.importing import Block


def test_a_letter_items_marker_read_with_a_stray_mark_is_its_letter() -> None:
    assert repair_line("cẻ) Thời gian: Thường xuyên.") == "c) Thời gian: Thường xuyên."
    assert repair_line("b«) Đơn vị thực hiện:") == "b) Đơn vị thực hiện:"
    assert repair_line("đ) Nội dung") == "đ) Nội dung"
    assert repair_line("(các) đơn vị") == "(các) đơn vị"  # no marker: untouched


def test_a_roman_numeral_loses_the_marks_ocr_put_on_it() -> None:
    assert repair_line("Quý IĨ năm 2026, quý IÏ, phần Ì") == "Quý II năm 2026, quý II, phần I"
    assert repair_line("ĐƠN VỊ, XÍ NGHIỆP, VIỆT NAM, Ở ỈA") == "ĐƠN VỊ, XÍ NGHIỆP, VIỆT NAM, Ở ỈA"


def _table(firsts: list[str], group_rows: set[int] = frozenset()) -> list[Block]:
    return [Block.row([first, f"Nội dung {n}", "" if n in group_rows else "Sở Nội vụ", "" if n in group_rows else "2026"])
            for n, first in enumerate(firsts)]


def test_damaged_row_numbers_are_read_from_the_numbers_around_them() -> None:
    firsts = ["STT", "lị", "1", "2", "ö", "4", "HH", "1", "R)", "R)", "3", "4", "'5"]
    blocks = renumber(_table(firsts, group_rows={1, 6}))
    # A row without its own number continues the one above: "2", "2" (merged cells).
    assert [b.cells[0] for b in blocks] == ["STT", "I", "1", "2", "3", "4", "II", "1", "2", "2", "3", "4", "5"]
    assert [b.cells[1:] for b in blocks] == [b.cells[1:] for b in _table(firsts, {1, 6})]


def test_numbers_read_cleanly_and_tables_not_numbered_are_left_alone() -> None:
    numbered = _table(["TT", "1", "2", "09", "3"])
    assert renumber(numbered) == numbered
    names = _table(["Họ tên", "An", "Bình", "Chi"])
    assert renumber(names) == names
    letterhead = [Block.row(["ỦY BAN NHÂN DÂN", "CỘNG HÒA"]), Block.row(["Số: 12/KH", "ngày 3"])]
    assert renumber(letterhead) == letterhead


def test_a_d_or_đ_that_breaks_the_run_of_letter_items_is_the_other() -> None:
    items = [Block.paragraph(t) for t in ("a) Một", "b) Hai", "c) Ba", "đ) Bốn", "đ) Năm", "e) Sáu")]
    assert [b.text for b in letter_items(items)] == ["a) Một", "b) Hai", "c) Ba", "d) Bốn", "đ) Năm", "e) Sáu"]
