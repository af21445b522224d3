"""Reader of Word files (.docx): paragraphs and table rows, in document order.

Word keeps automatic numbering ("1.", "a)") out of a paragraph's text; the reader
renders it back from the numbering definitions, so that the parser sees the numbers
a reader of the document sees.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from adapters.readers.errors import UnreadableFile

MAX_UNPACKED = 200 * 1024 * 1024  # a long plan with photos unpacks to a few MB
MAX_XML = 30 * 1024 * 1024  # the text and tables: a 100-page plan holds about 5 MB
MAX_ENTRIES = 2000
from adapters.readers.word_numbering import Numbering
from engine.importing import Block, errors as messages


def read(path: Path) -> list[Block]:
    document = _open(path)
    numbering = Numbering.of(document)
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            blocks.append(_paragraph(Paragraph(element, document), numbering))
        elif element.tag == qn("w:tbl"):
            blocks += [Block.row(_cells(row)) for row in Table(element, document).rows]
    return [b for b in blocks if b.text.strip()]


def _open(path: Path) -> docx.document.Document:
    if not zipfile.is_zipfile(path):
        raise UnreadableFile(messages.NOT_DOCX)
    _refuse_bomb(path)
    try:
        return docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds for a damaged package
        raise UnreadableFile(messages.DAMAGED_DOCX, detail=str(error)) from error


def _refuse_bomb(path: Path) -> None:
    """A .docx is a zip archive: one that unpacks far larger than a plan (a "zip bomb")
    is refused from its directory, before anything is unpacked."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    # The XML is what python-docx parses (images are only carried): it is bounded tighter.
    xml = sum(e.file_size for e in entries if e.filename.endswith((".xml", ".rels")))
    unpacked = sum(entry.file_size for entry in entries)
    size, limit = (xml, MAX_XML) if xml > MAX_XML else (unpacked, MAX_UNPACKED)
    if len(entries) > MAX_ENTRIES or size > limit:
        raise UnreadableFile(messages.UNPACKS_TOO_LARGE, size=f"{size / 1024 / 1024:.0f}",
                             limit=limit // 1024 // 1024)


def _paragraph(paragraph: Paragraph, numbering: Numbering) -> Block:
    style = paragraph.style.name if paragraph.style is not None else ""
    level = _heading_level(style)
    marker = numbering.marker(paragraph)
    text = f"{marker} {paragraph.text}" if marker else paragraph.text
    bold = bool(paragraph.runs) and all(r.bold for r in paragraph.runs if r.text.strip())
    return Block.paragraph(text, "heading" if level else "bold" if bold else "", level)


def _heading_level(style: str) -> int:
    words = style.split()
    return int(words[1]) if len(words) == 2 and words[0] == "Heading" and words[1].isdigit() else 0


def _cells(row) -> list[str]:
    """A row's cells, one per grid column: a horizontally merged cell's text in its
    first column and blanks under the rest (python-docx repeats it in each), so that
    every row's columns line up with the heading's."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            cells.append("")
        else:
            seen.add(id(cell._tc))
            cells.append(cell.text.strip())
    return cells
