"""Repairs of the damage OCR does to the text of a plan: on each line it reads, and
across a document's pages where the damage shows against what comes before and
after (a table's row numbers and a list's letters run in order).

Only damage a reader of the page would repair without a second thought, and that
the parser would otherwise misread, is repaired; words are never replaced by a
guess (unit names and deadline phrases are compared OCR-folded where they are
read, engine.text_folding). Each rule holds for any printed plan, not one file.
"""
from __future__ import annotations

import re
import unicodedata

from engine.importing import Block

# A letter item ("c) Thời gian") whose marker OCR read with a stray mark or symbol
# ("cẻ)", "c¢)", "c«)"): a marker is one letter, then ")".
_LETTER_ITEM = re.compile(r"^(\s*)([a-zđ])[^\s)\d]{1,2}\)(?=\s)")


# A Roman numeral never bears a diacritic: OCR puts one on its I ("Quý IĨ", "IÏ").
# Only a word of I's alone: "VỊ", "XÍ" are words ("ĐƠN VỊ", "XÍ NGHIỆP").
_WORD = re.compile(r"\b[^\W\d_]+\b")
_ROMAN_LETTERS = re.compile(r"I+")


def repair_line(line: str) -> str:
    """One line of OCR text, repaired."""
    line = _WORD.sub(_unmarked_roman, line)
    return _LETTER_ITEM.sub(r"\1\2)", line)


def _unmarked_roman(word: re.Match[str]) -> str:
    bare = _fold(word.group(0))
    return bare if bare != word.group(0) and _ROMAN_LETTERS.fullmatch(bare) else word.group(0)


# The number column of a table: its numbers run in order, Roman ones for the groups
# ("I", "II") and Arabic ones for the rows of a group, starting again at 1.
_NUMBER = re.compile(r"^\d{1,3}$")
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
# What OCR reads a Roman numeral's letters as: "II" as "H" or "HH", "I" as "|", "l", "1".
_ROMAN_LOOKALIKES = set("IVXLHTJY|!1")
_NUMBER_CELL = 4  # characters: a longer first cell is no row number
_TABLE_COLUMNS = 3


def renumber(blocks: list[Block]) -> list[Block]:
    """Rows whose first cell is a row number that OCR damaged ("ö" for 8, "R)" for 5,
    "HH" for II) get it back from the numbers around it, in a table whose first
    column numbers its rows (most of its first cells read as numbers). A number read
    cleanly is never changed."""
    out = list(blocks)
    for start, end in _tables(out):
        firsts = [_stripped(out[i].cells[0]) for i in range(start, end)]
        numbered = [f for f in firsts if _NUMBER.match(f) or f in _ROMAN]
        if len(numbered) * 2 < len(firsts) or len(firsts) < 3:
            continue
        for offset, number in enumerate(_renumbered([out[i].cells for i in range(start, end)])):
            i = start + offset
            if number != out[i].cells[0]:
                out[i] = Block.row([number, *out[i].cells[1:]])
    return out


def _tables(blocks: list[Block]) -> list[tuple[int, int]]:
    """Runs of consecutive rows with the same number of cells (three or more)."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(blocks) + 1):
        if i < len(blocks) and blocks[i].is_row and blocks[start].is_row \
                and len(blocks[i].cells) == len(blocks[start].cells):
            continue
        if blocks[start].is_row and len(blocks[start].cells) >= _TABLE_COLUMNS:
            runs.append((start, i))
        start = i
    return runs


def _renumbered(rows: list[tuple[str, ...]]) -> list[str]:
    """The first cells, damaged numbers read from their neighbours. A damaged group
    numeral is one in a row that fills nothing after its title (a group row); the
    heading row above the first number is no number."""
    firsts = [_stripped(cells[0]) for cells in rows]
    out = [cells[0] for cells in rows]
    group, number = 0, 0
    begun = False
    for i, (first, cells) in enumerate(zip(firsts, rows)):
        damaged = bool(first) and len(first) <= _NUMBER_CELL and first not in _ROMAN and not _NUMBER.match(first)
        as_group = damaged and group < len(_ROMAN) and _is_roman_like(first, _ROMAN[group]) \
            and not any(cell.strip() for cell in cells[2:])
        begun = begun or not damaged and bool(first) or as_group
        if not begun:
            continue
        if first in _ROMAN:
            group, number = _ROMAN.index(first) + 1, 0
            out[i] = first
        elif _NUMBER.match(first):
            number = int(first)
            out[i] = first
        elif as_group:
            out[i] = _ROMAN[group]
            group, number = group + 1, 0
        elif damaged:
            following = next((int(f) for f in firsts[i + 1:] if _NUMBER.match(f)), None)
            number = number + 1 if following is None or number + 1 < following else number
            out[i] = str(number)
    return out


def _is_roman_like(text: str, expected: str) -> bool:
    """Whether a damaged reading can be the expected next group numeral: only letters
    OCR reads Roman numerals as, and the expected one's V or X where it has one."""
    letters = _fold(text).upper()
    return set(letters) <= _ROMAN_LOOKALIKES and all(c in letters for c in "VX" if c in expected) \
        and all(c in expected for c in "VX" if c in letters)


def _stripped(cell: str) -> str:
    """A first cell without the specks OCR reads around a number ("'12", "-10", "3.")."""
    return cell.strip(" '`’‘\".,:;-_–—")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def letter_items(blocks: list[Block]) -> list[Block]:
    """Letter items run a), b), c), d), đ), e): OCR adds the stroke of "đ" to a "d"
    or drops it. A "d)" or "đ)" that breaks the run after the item before it is the
    other one."""
    out: list[Block] = []
    previous = ""
    for block in blocks:
        letter = _LETTER_MARK.match(block.text) if not block.is_row else None
        if letter:
            mark = letter.group(2)
            if mark in "dđ" and previous in "cdđ" and previous:
                mark = "d" if previous == "c" else "đ" if previous == "d" else mark
                block = Block.paragraph(f"{letter.group(1)}{mark}{block.text[letter.end(2):]}", block.style, block.level)
            previous = mark
        out.append(block)
    return out


_LETTER_MARK = re.compile(r"^(\s*)([a-zđ])\)\s")


def repaired(blocks: list[Block]) -> list[Block]:
    """A read document's blocks with the repairs that need the pages around them."""
    return letter_items(renumber(blocks))
