"""A .txt or .md plan in each encoding Vietnamese offices save text in is read as the
same text (`adapters.readers.plain_text.decode`); a binary file is still refused."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from adapters.readers import read_source
from adapters.readers.errors import UnreadableFile
from tests.support.old_encodings import cp1258, tcvn3

PLAN = ("KẾ HOẠCH\nRà soát thủ tục hành chính năm 2024\n\n"
        "1. Sở Tư pháp chủ trì rà soát, hoàn thành trước ngày 30/6/2024.\n"
        "2. Sở Nội vụ phối hợp số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.\n")
ENCODED = {
    "utf-8": PLAN.encode("utf-8"),
    "utf-8 with a mark": codecs.BOM_UTF8 + PLAN.encode("utf-8"),
    "utf-16 le with a mark": codecs.BOM_UTF16_LE + PLAN.encode("utf-16-le"),
    "utf-16 be with a mark": codecs.BOM_UTF16_BE + PLAN.encode("utf-16-be"),
    "utf-16 le": PLAN.encode("utf-16-le"),
    "utf-16 be": PLAN.encode("utf-16-be"),
    "utf-32 le with a mark": codecs.BOM_UTF32_LE + PLAN.encode("utf-32-le"),
    "utf-32 be with a mark": codecs.BOM_UTF32_BE + PLAN.encode("utf-32-be"),
    "utf-32 le": PLAN.encode("utf-32-le"),
    "utf-32 be": PLAN.encode("utf-32-be"),
    "cp1258": cp1258(PLAN),
}


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize("encoding", ENCODED)
def test_a_plan_in_each_encoding_reads_as_the_same_text(encoding: str, suffix: str) -> None:
    expected = [b.text for b in read_source(PLAN.encode("utf-8"), "ke-hoach" + suffix)]
    assert [b.text for b in read_source(ENCODED[encoding], "ke-hoach" + suffix)] == expected
    assert any("Sở Tư pháp chủ trì" in text for text in expected)


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + bytes(200),
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000010") + bytes(range(256)) * 8,  # a PNG's start
    bytes(range(256)) * 16,
    b"\x00" * 64,
    codecs.BOM_UTF16_LE + b"\x00\xd8" * 8,  # marked UTF-16 of lone surrogates: not text
    b"K\x00\xe1\x00\x00\x00" * 100,  # a NUL where UTF-16's text has none
])
def test_a_binary_file_is_still_refused_as_not_text(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_source(data, "ke-hoach.txt")
    assert "is not text" in str(refused.value)


def test_a_plan_in_tcvn3_is_refused_with_its_own_message_not_read_as_mojibake() -> None:
    """TCVN3 decodes as cp1258 without an error ("Rµ so¸t thñ tôc"): told by the symbols
    inside its words."""
    with pytest.raises(UnreadableFile) as refused:
        read_source(tcvn3(PLAN), "ke-hoach.txt")
    assert "TCVN3" in str(refused.value)


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "fixtures" / "plans").glob("*.[mt][dx]*")),
                         ids=lambda path: path.name)
def test_no_plan_in_cp1258_is_taken_for_tcvn3(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [b.text for b in read_source(cp1258(text), path.name)] == [b.text for b in read_source(text.encode(), path.name)]
