"""The one rule for text coming in (`engine.incoming_text`), and the places it is applied:
a step form's text, the import draft sent back, the readers' blocks, a day off's name."""
from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from engine.importing import Block
from engine.importing.draft import ImportDraft
from engine.importing.parser import parse_blocks
from engine.importing.units import UnitDirectory
from engine.incoming_text import cleaned
from engine.process import step_forms

PASTED = "Kết quả quý I\x0bĐã rà soát 12 thủ tục"  # a Word paragraph with a manual line break, pasted


@pytest.mark.parametrize("sent, kept", [
    (PASTED, "Kết quả quý I\nĐã rà soát 12 thủ tục"),
    ("Trang 1\x0cTrang 2", "Trang 1\nTrang 2"),
    ("a\u2028b\u2029c\x85d", "a\nb\nc\nd"),
    ("Mục\x1b[31m đỏ\x1b[0m", "Mục[31m đỏ[0m"),  # the ESC goes; what followed it is text someone typed
    ("cột\tmột\r\ndòng\nhai", "cột\tmột\r\ndòng\nhai"),
    ("a\x00b\x07c\x7fd\x80e\x9ff", "abcdef"),
    ("Kết quả\ufffe\uffff\ufdd0\U0001fffe", "Kết quả"),
    ("Tiếng Việt có dấu: Ư Ơ Đ ₫ — “ngoặc” 😀", "Tiếng Việt có dấu: Ư Ơ Đ ₫ — “ngoặc” 😀"),
])
def test_breaks_become_line_breaks_other_controls_and_non_characters_go(sent: str, kept: str) -> None:
    assert cleaned(sent) == kept


def test_a_step_form_text_is_cleaned_before_it_is_stored() -> None:
    data = step_forms.validate("contribute", {"contribution": PASTED + "\x1b"}, None, [])
    assert data == {"contribution": "Kết quả quý I\nĐã rà soát 12 thủ tục"}


def test_a_text_of_nothing_but_controls_is_empty_and_refused_as_empty() -> None:
    with pytest.raises(InvalidInput) as refused:
        step_forms.validate("contribute", {"contribution": "\x1b\x07"}, None, [])
    assert refused.value.errors == {"contribution": "Write the unit's contribution."}


def test_the_import_draft_sent_back_is_cleaned() -> None:
    draft = ImportDraft.from_dict({"source_name": "ke\x1bhoach.docx", "plan": {"title": "Kế hoạch\x0bnăm 2024"},
                                   "tasks": [{"title": "Rà soát\x1b", "lead": ["1"], "content": PASTED}],
                                   "new_units": [{"name": "Sở\x0cTư pháp", "create": True}]})
    assert (draft.source_name, draft.plan["title"]) == ("kehoach.docx", "Kế hoạch\nnăm 2024")
    assert (draft.tasks[0]["title"], draft.tasks[0]["content"]) == ("Rà soát", cleaned(PASTED))
    assert draft.new_units[0]["name"] == "Sở\nTư pháp"


def test_a_reader_s_text_is_cleaned_before_the_parser_reads_it() -> None:
    blocks = [Block.paragraph("KẾ HOẠCH\x1b rà soát thủ tục hành chính năm 2024"),
              Block.paragraph("1. Rà soát\x0bthủ tục hành chính\x07", style="list", level=1),
              Block.row(["2", "Số hóa\x1b hồ sơ", "Sở Tư pháp"])]
    result = parse_blocks(blocks, UnitDirectory([]))
    texts = [t.title + t.content for t in result.tasks] + [result.plan.title]
    assert texts and not any(ch in text for text in texts for ch in "\x1b\x07\x0b"), texts
