"""The neutral block stream every reader produces and the one parser reads.

A block is a paragraph (its text, and the style and level the source gave it) or a
table row (its cells). Readers keep document order and the text as written: the
parser, not the reader, decides what a block means.
"""
from __future__ import annotations

from dataclasses import dataclass

PARAGRAPH, ROW = "paragraph", "row"


@dataclass(frozen=True)
class Block:
    """One paragraph or one table row of a plan, in document order."""

    kind: str = PARAGRAPH
    text: str = ""
    style: str = ""  # the source's hint: "heading", "bold", "list", or ""
    level: int = 0  # heading or list depth when the source says it, else 0
    cells: tuple[str, ...] = ()

    @classmethod
    def paragraph(cls, text: str, style: str = "", level: int = 0) -> Block:
        return cls(PARAGRAPH, text, style, level)

    @classmethod
    def row(cls, cells: list[str] | tuple[str, ...]) -> Block:
        return cls(ROW, " | ".join(cells), cells=tuple(cells))

    @property
    def is_row(self) -> bool:
        return self.kind == ROW
