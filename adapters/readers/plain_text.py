"""Reader of plain text, as OCR gives it: paragraphs split by blank lines or markers.

OCR wraps lines where the page did; a paragraph is rebuilt by joining them. A new
paragraph starts at a blank line, or at a line beginning with a bullet ("- ", "+ "),
a letter ("a) "), or a number followed by a capital ("2. Nâng cao", never "3.2 điểm").
A word hyphenated at a line's end is joined back ("hoan th-" / "anh"); a code keeps
its hyphen ("CT-" / "UBND"). Lines holding only a page number are dropped.
"""
from __future__ import annotations

import re
from pathlib import Path

from adapters.readers.errors import UnreadableFile
from engine.importing import Block, errors as messages

_STARTS_BLOCK = re.compile(
    r"^\s*(?:[-–—+•*·▪]\s|[a-zA-Z¢đĐ][^\w\s)]?\)\s|\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZĐÀ-Ỹ]|[IVX]{1,4}\.\s"
    r"|[^\w\s(]{1,3}\)\s+[A-ZĐÀ-Ỹ])"  # a letter OCR read as symbols ("‡) Thời gian"): the parser knows which
)
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read(path: Path) -> list[Block]:
    return [Block.paragraph(p) for p in paragraphs(decode(path.read_bytes(), path.suffix))]


def decode(data: bytes, suffix: str) -> str:
    """The text of a file that must be text; binary content is refused."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise UnreadableFile(messages.NOT_TEXT, suffix=suffix)
    for encoding in ("utf-8-sig", "cp1258"):  # cp1258: Vietnamese Windows, before Unicode
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(messages.UNKNOWN_ENCODING, suffix=suffix)


def paragraphs(text: str, page: bool = True) -> list[str]:
    """One string per paragraph, wrapped lines joined. In a page's text (`page`) a line
    holding only a number is the page's number, and dropped; in a table's cell it is
    the row's number."""
    blocks: list[list[str]] = [[]]
    for line in text.replace("\f", "\n").splitlines():
        if not line.strip() or (page and _PAGE_NUMBER.match(line)):
            blocks.append([])
        elif _STARTS_BLOCK.match(line) and blocks[-1]:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [_join(lines) for lines in blocks if lines]


def _join(lines: list[str]) -> str:
    text = ""
    for line in (raw.strip() for raw in lines):
        if re.search(r"[^\W\d_]-$", text) and line[:1].islower():
            text = f"{text[:-1]}{line}"  # a word hyphenated at the line's end ("hoan th-" / "anh")
            continue
        # A code or word cut at its hyphen ("CT-" / "UBND") joins without a space.
        glue = "" if re.search(r"\S-$", text) else " "
        text = f"{text}{glue}{line}" if text else line
    return text
