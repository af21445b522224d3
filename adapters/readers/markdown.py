"""Reader of Markdown (a Word file exported as .md): paragraphs, headings, tables.

Emphasis marks and escapes are dropped (the parser reads words, not styling), list
markers are kept as written ("- ", "1."), and `| a | b |` lines become table rows.

Conversions of Word files often flatten a table one cell per line: each cell's text,
then a line holding only "|"; an empty cell (two bars in a row) ends a row. Rows of a
flattened table are rebuilt: after its first row of three cells or more (its heading),
a row holds as many cells as the heading, blanks included. Text between bars that
holds a blank line is prose, not a cell.
"""
from __future__ import annotations

import re
from pathlib import Path

from adapters.readers.plain_text import decode, paragraphs
from engine.importing import Block

_HEADING = re.compile(r"^\s*(#{1,6})\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_HEADING_CELLS = 3
_ROW_NUMBER = re.compile(r"^\s*(?:[IVXLC]+|[A-ZĐ]|\d{1,3}(?:\.\d{1,3})*)[.)]?\s*$")


def read(path: Path) -> list[Block]:
    blocks: list[Block] = []
    prose: list[str] = []
    cells: list[str] | None = None  # a flattened table's cells so far
    for line in decode(path.read_bytes(), path.suffix).splitlines():
        if line.strip() == "|":
            if cells is None:
                blocks += _prose(prose)
                cells = []
            elif any(not text.strip() for text in prose) and "".join(prose).strip():
                blocks += _rows(cells) + _prose(prose)  # prose between two bars ends the table
                cells = []
            else:
                cells.append(_clean("\n".join(prose)))
            prose = []
        elif line.lstrip().startswith("|") and cells is None:
            blocks += _prose(prose)
            prose = []
            if not _TABLE_RULE.match(line):
                blocks.append(Block.row([_clean(c) for c in line.strip().strip("|").split("|")]))
        else:
            prose.append(line)
    return blocks + _rows(cells or []) + _prose(prose)


def _rows(cells: list[str]) -> list[Block]:
    """A flattened table's rows: cells up to an empty one. A blank cell inside a row
    also reads as two bars, so after the heading (the first row of three cells or
    more) a short row that the next piece completes, and that piece opens with no row
    number, is one row with a blank between."""
    pieces: list[list[str]] = [[]]
    for cell in cells:
        if cell:
            pieces[-1].append(cell)
        elif pieces[-1]:
            pieces.append([])
    rows: list[list[str]] = []
    width = 0
    for piece in (p for p in pieces if p):
        if width and rows and len(rows[-1]) + 1 + len(piece) <= width and not _ROW_NUMBER.match(piece[0]):
            rows[-1] += ["", *piece]
            continue
        rows.append(piece)
        if not width and len(piece) >= _HEADING_CELLS:
            width = len(piece)
    return [Block.row(r) for r in rows]


def _prose(lines: list[str]) -> list[Block]:
    blocks = []
    for text in paragraphs("\n".join(lines)):
        heading = _HEADING.match(text)
        if heading:
            blocks.append(Block.paragraph(_clean(text[heading.end():]), "heading", len(heading.group(1))))
        else:
            blocks.append(Block.paragraph(_clean(text), "bold" if text.startswith("**") else ""))
    return blocks


def _clean(text: str) -> str:
    return _ESCAPE.sub(r"\1", _EMPHASIS.sub("", text)).strip()
