"""Reader of Markdown (a Word file exported as .md): paragraphs, headings, tables.

Emphasis marks and escapes are dropped (the parser reads words, not styling), list
markers are kept as written ("- ", "1."), and `| a | b |` lines become table rows.
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


def read(path: Path) -> list[Block]:
    blocks: list[Block] = []
    prose: list[str] = []
    for line in decode(path.read_bytes(), path.suffix).splitlines():
        if line.lstrip().startswith("|"):
            blocks += _prose(prose)
            prose = []
            if not _TABLE_RULE.match(line):
                blocks.append(Block.row([_clean(c) for c in line.strip().strip("|").split("|")]))
        else:
            prose.append(line)
    return blocks + _prose(prose)


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
