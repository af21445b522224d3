"""A page image read by OCR (Tesseract, Vietnamese data) into blocks, its tables as
tables.

A printed plan's tables are ruled. The rules are found first (long runs of ink,
across and down the page): a row is the band between two rules across that two
rules down or more cross, and a cell is the part of a band between two of those.
With the rules painted out (OCR would read them as "|" or "_"), the page less its
tables is read as text, in Tesseract's reading order, and the cells are read apart,
pasted one under another as one column: on the page a lone "1" in the number
column is taken for noise, and neighbouring cells' words run together. Each row
goes where it stands on the page. A page without rules reads as text.

A page scanned askew is turned straight first. A line holding a word Tesseract is
unsure of is read again at another size, and the reading it is surer of is kept;
each line is then repaired (ocr_repair).
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from adapters.readers.errors import UnreadableFile
from adapters.readers.ocr_repair import repair_line
from adapters.readers.plain_text import paragraphs
from engine.importing import Block
from engine.importing import errors as messages

OCR_SECONDS = 120  # for one page: a page that takes longer is refused, never left running
_INK = 128  # a pixel darker than this is ink
# Rules are found on the page shrunk by _STEP pixels along the rule: a shrunk pixel
# that is (nearly) all ink is a piece of a rule. At 300 dpi _STEP is 2 mm: longer
# than any stroke of a letter, shorter than the narrowest cell.
_STEP = 24
_FULL = 200
_MIN_ACROSS = 4  # pieces: a rule across is at least 8 mm long
_MIN_DOWN = 3  # a rule down at least 6 mm (one line of text and its padding)
_NEAR = 12  # pixels: rules closer than this are one (a double rule); a row is taller
_ERASE = 3  # pixels painted out around a rule
_UNSURE = 40  # Tesseract's confidence under which a word is read again
_RESCALE = 0.75  # the size it is read again at
_SKEWS = [quarter / 4 for quarter in range(-12, 13)]  # degrees a page may lie askew, a quarter apart
T = TypeVar("T")


@dataclass(frozen=True)
class _Rule:
    """A rule: `at` is its position across its length (y of a rule across, x of a rule
    down), from `at0` to `at1` in thickness, and it runs from `start` to `end`."""

    at0: int
    at1: int
    start: int
    end: int

    @property
    def at(self) -> int:
        return (self.at0 + self.at1) // 2


@dataclass(frozen=True)
class _Row:
    top: int
    bottom: int
    cells: tuple[tuple[int, int], ...]  # (left, right) of each cell


@dataclass(frozen=True)
class _Word:
    text: str
    left: int
    top: int
    right: int
    bottom: int
    line: tuple[int, int, int]  # Tesseract's block, paragraph and line numbers
    sure: float  # Tesseract's confidence, 0 to 100


def page_blocks(image) -> list[Block]:
    """The blocks of one page image: paragraphs, and a row per table row."""
    page = _straightened(image.convert("L"))
    across, down = _rules(page)
    rows = _rows(across, down)
    if not rows:
        return _blocks(_reread_unsure(page, _words(tesseract_tsv(page))), [], {})
    page = _erase(page, across, down)
    words = _reread_unsure(page, _words(tesseract_tsv(_without(page, rows))))
    return _blocks(words, rows, _cell_words(page, rows))


def _straightened(page):
    """The page turned straight: a page fed askew into a scanner lies a degree or two
    off, and its rules across then run down a row or two (not found as rules). The
    angle is the one at which the page's ink lies most in rows, its lines of text and
    rules level; it is looked for on the page at a quarter of its size."""
    from PIL import Image

    small = page.reduce(4).point(lambda v: 255 if v < _INK else 0)

    def level(angle: float) -> tuple[int, float]:
        rows = small.rotate(angle, fillcolor=0).reduce((small.size[0], 1)).tobytes()
        return sum(v * v for v in rows), -abs(angle)

    angle = max(_SKEWS, key=level)
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255) if angle else page


def _reread_unsure(page, words: list[_Word]) -> list[_Word]:
    """Lines holding a word Tesseract was unsure of, read again at another size; the
    reading of the line Tesseract is surer of, on the whole, is kept. At one size a
    letter's strokes may read as other letters ("Il" as "TIÌ"), at another not."""
    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    unsure = [key for key, line in lines.items() if min(w.sure for w in line) < _UNSURE]
    boxes = {key: (min(w.left for w in lines[key]) - _ERASE, min(w.top for w in lines[key]) - _ERASE,
                   max(w.right for w in lines[key]) + _ERASE, max(w.bottom for w in lines[key]) + _ERASE)
             for key in unsure}
    again = _read_pieces([(key, page.crop(box)) for key, box in boxes.items()], _RESCALE)
    out: list[_Word] = []
    for key, line in lines.items():
        if key in again and _sureness(again[key]) > _sureness(line):
            left, top = boxes[key][:2]
            line = [replace(w, line=key, left=w.left + left, right=w.right + left, top=w.top + top,
                            bottom=w.bottom + top) for w in again[key]]
        out += line
    return out


def _sureness(words: list[_Word]) -> float:
    return sum(w.sure for w in words) / len(words)


def _without(page, rows: list[_Row]):
    """The page with its tables painted out: what is read as the page's text."""
    from PIL import ImageDraw

    page = page.copy()
    draw = ImageDraw.Draw(page)
    for row in rows:
        draw.rectangle((row.cells[0][0], row.top, row.cells[-1][1], row.bottom), fill=255)
    return page


def _cell_words(page, rows: list[_Row]) -> dict[tuple[int, int], list[_Word]]:
    """The words of each cell. The cells are read apart from the page, pasted one under
    another as one column of text: read on the page, a lone short text in a wide blank
    ("1", "II" in the number column) is taken for noise, and words of neighbouring
    cells run together."""
    from PIL import ImageOps

    pieces: list[tuple[tuple[int, int], object]] = []
    for r, row in enumerate(rows):
        for c, (left, right) in enumerate(row.cells):
            crop = page.crop((left + _ERASE, row.top + _ERASE, right - _ERASE, row.bottom - _ERASE))
            ink = ImageOps.invert(crop).getbbox()
            if ink:
                pieces.append(((r, c), crop.crop(ink)))
    return _read_pieces(pieces)


def _read_pieces(pieces: list[tuple[T, object]], scale: float = 1.0) -> dict[T, list[_Word]]:
    """Pieces of a page read in one go: pasted one under another, as one column of
    text (Tesseract's layout mode 6: one block, no layout to guess); each piece's
    words, their boxes on the piece."""
    from PIL import Image

    if not pieces:
        return {}
    if scale != 1.0:
        pieces = [(key, piece.resize((max(1, round(piece.size[0] * scale)), max(1, round(piece.size[1] * scale)))))
                  for key, piece in pieces]
    gap = 2 * _STEP
    column = Image.new("L", (max(p.size[0] for _, p in pieces) + 2 * gap,
                             sum(p.size[1] + gap for _, p in pieces) + gap), 255)
    spans: list[tuple[T, int, int]] = []
    y = gap
    for key, piece in pieces:
        column.paste(piece, (gap, y))
        spans.append((key, y - gap // 2, y + piece.size[1] + gap // 2))
        y += piece.size[1] + gap
    found: dict[T, list[_Word]] = {}
    for word in _words(tesseract_tsv(column, "6")):
        middle = (word.top + word.bottom) // 2
        hit = next(((k, top + gap // 2) for k, top, bottom in spans if top <= middle < bottom), None)
        if hit is not None:  # the word's box on its piece, at the piece's own size
            key, y = hit
            found.setdefault(key, []).append(replace(
                word, left=round((word.left - gap) / scale), right=round((word.right - gap) / scale),
                top=round((word.top - y) / scale), bottom=round((word.bottom - y) / scale)))
    return found


def tesseract_tsv(image, layout: str = "3") -> str:
    """Tesseract's words on an image, in Vietnamese, each with its box (TSV); `layout`
    is Tesseract's page segmentation mode (3: find the page's columns and blocks)."""
    if shutil.which("tesseract") is None:
        raise UnreadableFile(messages.NO_OCR)
    with tempfile.TemporaryDirectory(prefix="planflow-ocr-") as folder:
        page = Path(folder) / "page.png"
        image.save(page)
        try:
            # One thread: on a busy server Tesseract's own threads slow it down several times.
            done = subprocess.run(["tesseract", str(page), "stdout", "-l", "vie", "--psm", layout, "tsv"],
                                  capture_output=True,
                                  timeout=OCR_SECONDS, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        except subprocess.TimeoutExpired as error:
            raise UnreadableFile(messages.OCR_TOO_SLOW, seconds=OCR_SECONDS) from error
        except subprocess.CalledProcessError as error:
            raise UnreadableFile(messages.OCR_FAILED, detail=error.stderr.decode("utf-8", "replace")[-200:]) from error
    return done.stdout.decode("utf-8", "replace")


def _rules(page) -> tuple[list[_Rule], list[_Rule]]:
    """The rules across and down a page."""
    from PIL import Image

    ink = page.point(lambda v: 255 if v < _INK else 0)
    across = _runs(ink.reduce((_STEP, 1)), _MIN_ACROSS)
    down = _runs(ink.transpose(Image.Transpose.TRANSPOSE).reduce((_STEP, 1)), _MIN_DOWN)
    return across, down


def _runs(shrunk, least: int) -> list[_Rule]:
    """Rules along the rows of a page shrunk along them: runs of full pieces, those on
    neighbouring rows that overlap merged into one rule (a rule is a few pixels thick)."""
    width, height = shrunk.size
    data = shrunk.tobytes()
    full = re.compile(rb"[\x%02x-\xff]{%d,}" % (_FULL, least))
    open_rules: list[list[int]] = []  # [at0, at1, start, end] of rules still growing
    found: list[_Rule] = []
    for y in range(height):
        base = y * width
        runs = [((m.start() - base) * _STEP, (m.end() - base) * _STEP) for m in full.finditer(data, base, base + width)]
        still: list[list[int]] = []
        for rule in open_rules:
            touching = [r for r in runs if r[0] <= rule[3] and r[1] >= rule[2]]
            if touching:
                rule[1] = y
                rule[2] = min(rule[2], *(r[0] for r in touching))
                rule[3] = max(rule[3], *(r[1] for r in touching))
                runs = [r for r in runs if r not in touching]
                still.append(rule)
            else:
                found.append(_Rule(*rule))
        open_rules = still + [[y, y, start, end] for start, end in runs]
    return found + [_Rule(*rule) for rule in open_rules]


def _rows(across: list[_Rule], down: list[_Rule]) -> list[_Row]:
    """Table rows: the band under each rule across, down to the nearest rule across
    below it such that two rules down or more cross the whole band; its cells lie
    between those. A short rule inside a cell (the line under a letterhead's name)
    is crossed by no rule down: the band goes on past it."""
    rows: list[_Row] = []
    ordered = sorted(across, key=lambda r: r.at)
    for n, upper in enumerate(ordered):
        for lower in ordered[n + 1:]:
            if not (lower.start < upper.end and lower.end > upper.start and lower.at0 - upper.at1 > 2 * _NEAR):
                continue
            walls = _walls(upper, lower, down)
            if len(walls) >= 2:
                rows.append(_Row(upper.at1, lower.at0, tuple(zip(walls, walls[1:]))))
                break
    return rows


def _walls(upper: _Rule, lower: _Rule, down: list[_Rule]) -> list[int]:
    """Where rules down cross the whole band between two rules across. A rule's
    length is known to a piece (_STEP): its ends meet a rule that near."""
    left, right = max(upper.start, lower.start) - _STEP, min(upper.end, lower.end) + _STEP
    walls = sorted({rule.at for rule in down if left <= rule.at <= right
                    and rule.start <= upper.at1 + _STEP and rule.end >= lower.at0 - _STEP})
    return [x for i, x in enumerate(walls) if i == 0 or x - walls[i - 1] > _NEAR]


def _erase(page, across: list[_Rule], down: list[_Rule]):
    """The page with its rules painted white."""
    from PIL import ImageDraw

    page = page.copy()
    draw = ImageDraw.Draw(page)
    for rule in across:
        draw.rectangle((rule.start - _ERASE, rule.at0 - _ERASE, rule.end + _ERASE, rule.at1 + _ERASE), fill=255)
    for rule in down:
        draw.rectangle((rule.at0 - _ERASE, rule.start - _ERASE, rule.at1 + _ERASE, rule.end + _ERASE), fill=255)
    return page


def _words(tsv: str) -> list[_Word]:
    words = []
    for record in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (record.get("text") or "").strip()
        if record.get("level") != "5" or not text:
            continue
        left, top = int(record["left"]), int(record["top"])
        words.append(_Word(text, left, top, left + int(record["width"]), top + int(record["height"]),
                           (int(record["block_num"]), int(record["par_num"]), int(record["line_num"])),
                           float(record["conf"])))
    return words


def _blocks(words: list[_Word], rows: list[_Row], in_cells: dict[tuple[int, int], list[_Word]]) -> list[Block]:
    """The page's text in Tesseract's reading order, each table row put before the
    first line of text below its top."""
    blocks: list[Block] = []
    pending = sorted(range(len(rows)), key=lambda r: rows[r].top)
    text: list[_Word] = []
    for word in [*words, None]:
        while pending and (word is None or rows[pending[0]].top < word.top):
            r = pending.pop(0)
            blocks += [Block.paragraph(p) for p in paragraphs(_text(text))]
            text = []
            cells = ["\n".join(paragraphs(_text(in_cells.get((r, c), []), breaks=False), page=False))
                     for c in range(len(rows[r].cells))]
            if any(cells):
                blocks.append(Block.row(cells))
        if word is not None:
            text.append(word)
    return blocks + [Block.paragraph(p) for p in paragraphs(_text(text))]


def _text(words: list[_Word], breaks: bool = True) -> str:
    """Words as Tesseract's lines, in its reading order; with `breaks`, a blank line
    between its paragraphs (in a narrow cell it breaks paragraphs where none was)."""
    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    out: list[str] = []
    previous: tuple[int, int, int] | None = None
    for key, line in lines.items():
        if breaks and previous is not None and key[:2] != previous[:2]:
            out.append("")
        out.append(repair_line(" ".join(w.text for w in sorted(line, key=lambda w: w.left))))
        previous = key
    return "\n".join(out)
