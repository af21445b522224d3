"""Reader of plain text, as OCR gives it: paragraphs split by blank lines or markers.

OCR wraps lines where the page did; a paragraph is rebuilt by joining them. A new
paragraph starts at a blank line, or at a line beginning with a bullet ("- ", "+ "),
a letter ("a) "), or a number followed by a capital ("2. Nâng cao", never "3.2 điểm").
A word hyphenated at a line's end is joined back ("hoan th-" / "anh"); a code keeps
its hyphen ("CT-" / "UBND"). Lines holding only a page number are dropped.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from adapters.readers.errors import UnreadableFile
from engine.importing import Block, errors as messages

_STARTS_BLOCK = re.compile(
    r"^\s*(?:[-–—+•*·▪]\s|[a-zA-Z¢đĐ][^\w\s)]?\)\s|\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZĐÀ-Ỹ]|[IVX]{1,4}\.\s"
    r"|[^\w\s(]{1,3}\)\s+[A-ZĐÀ-Ỹ])"  # a letter OCR read as symbols ("‡) Thời gian"): the parser knows which
)
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
# Byte-order marks, UTF-32's before UTF-16's: "\xff\xfe\x00\x00" also starts with UTF-16 LE's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SAMPLE = 4096  # bytes looked at to tell a wide encoding without a mark, a multiple of 4


def read(path: Path) -> list[Block]:
    return [Block.paragraph(p) for p in paragraphs(decode(path.read_bytes(), path.suffix))]


def decode(data: bytes, suffix: str) -> str:
    """The text of a file that must be text, in the encodings Vietnamese offices save it in:
    UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 (Notepad's "Unicode",
    with or without a mark, either byte order), else cp1258 (Vietnamese Windows before
    Unicode, its tone marks composed as UTF-8 text has them). Binary content is refused."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None) or _wide_encoding(data)
    if encoding:
        text = _decoded(data, encoding)
        if text is None or "\x00" in text:  # half a pair, or NULs in a wide pattern by chance: not text
            raise UnreadableFile(messages.NOT_TEXT, suffix=suffix)
        return text
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:_SAMPLE]:
        raise UnreadableFile(messages.NOT_TEXT, suffix=suffix)
    text = _decoded(data, "utf-8")
    return text if text is not None else _from_cp1258(data, suffix)


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _from_cp1258(data: bytes, suffix: str) -> str:
    text = _decoded(data, "cp1258")
    if text is None:
        raise UnreadableFile(messages.UNKNOWN_ENCODING, suffix=suffix)
    if _looks_like_tcvn3(text):
        raise UnreadableFile(messages.TCVN3, suffix=suffix)
    return unicodedata.normalize("NFC", text)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte-order mark, told by where the NUL bytes fall. Text
    in a Latin script, Vietnamese among them (its unmarked letters, spaces, digits and
    punctuation are most of its characters), has a NUL beside most characters, always on
    the same side of each unit: UTF-32's two high bytes, UTF-16's high byte. A binary
    file has NULs anywhere; a character whose low byte is 0 (U+0100 "Ā") is rare."""
    sample = data[:_SAMPLE - len(data[:_SAMPLE]) % 4]
    if len(sample) < 4 or len(data) % 2:
        return None
    nul = [sample[i::4].count(0) for i in range(4)]
    units = len(sample) // 4  # per position
    if len(data) % 4 == 0 and nul[2] == nul[3] == units and nul[0] < units:
        return "utf-32-le"
    if len(data) % 4 == 0 and nul[0] == nul[1] == units and nul[3] < units:
        return "utf-32-be"
    for encoding, high, low in (("utf-16-le", (1, 3), (0, 2)), ("utf-16-be", (0, 2), (1, 3))):
        highs, lows = sum(nul[i] for i in high), sum(nul[i] for i in low)
        if highs and highs * 10 >= 2 * units * 4 and lows * 100 <= 2 * units:  # 40% of highs NUL, 1% of lows
            return encoding
    return None


# TCVN3 ("ABC", the .VnTime fonts of older Vietnamese documents) writes ă, â, đ, ê, ô,
# ơ, ư and many toned letters as bytes that cp1258 reads as the symbols ¡ to ¿: "Rà soát
# thủ tục" decodes without an error as "Rµ so¸t thñ tôc". In Vietnamese written in
# cp1258 those symbols never stand inside a word.
_SYMBOL_IN_WORD = re.compile(r"[^\W\d_][\u00a1-\u00bf]|[\u00a1-\u00bf][^\W\d_]")


def _looks_like_tcvn3(text: str) -> bool:
    """A tenth of the words or more (three at least) with such a symbol inside: TCVN3 read
    as cp1258 (about two words in five), refused rather than imported as a plan nobody
    can read; Python has no TCVN3 codec to read it with."""
    words = text.split()
    inside = sum(1 for word in words if _SYMBOL_IN_WORD.search(word))
    return inside >= 3 and inside * 10 >= len(words)


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
