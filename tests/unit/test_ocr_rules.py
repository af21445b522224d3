"""A scanned page's ruled table is found by its rules before any OCR: each band
between two rules across that rules down cross is a row, its cells between those;
a line alone (a signature's underline) or a letter's stroke is no table, and a
short line inside a cell does not cut its row."""
from __future__ import annotations

from PIL import Image, ImageDraw

from adapters.readers import ocr

_WIDTH, _HEIGHT = 2480, 3508  # A4 at 300 dpi
_COLUMNS = [354, 491, 1366, 2200]
_ROWS = [600, 700, 1100]


def _page() -> Image.Image:
    page = Image.new("L", (_WIDTH, _HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    for y in _ROWS:
        draw.line((_COLUMNS[0], y, _COLUMNS[-1], y), fill=0, width=3)
    for x in _COLUMNS:
        draw.line((x, _ROWS[0], x, _ROWS[-1]), fill=0, width=3)
    draw.rectangle((600, 300, 603, 345), fill=0)  # a letter's stroke above the table
    draw.line((1500, 1600, 2100, 1600), fill=0, width=3)  # a signature's underline below it
    draw.rectangle((1000, 760, 1050, 800), fill=0)  # ink inside a cell
    draw.line((1500, 640, 1800, 640), fill=0, width=3)  # a line under a letterhead's name, inside a cell
    return page


def test_a_ruled_tables_rows_and_cells_are_found_by_their_rules() -> None:
    rows = ocr._rows(*ocr._rules(_page()))
    assert len(rows) == len(_ROWS) - 1
    for row, (top, bottom) in zip(rows, zip(_ROWS, _ROWS[1:])):
        assert abs(row.top - top) <= 3 and abs(row.bottom - bottom) <= 3
        assert [(abs(left - a) <= 3, abs(right - b) <= 3) for (left, right), (a, b)
                in zip(row.cells, zip(_COLUMNS, _COLUMNS[1:]))] == [(True, True)] * (len(_COLUMNS) - 1)


def test_a_page_with_a_line_but_no_grid_has_no_table() -> None:
    page = Image.new("L", (_WIDTH, _HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    draw.line((300, 400, 2200, 400), fill=0, width=3)
    draw.line((300, 500, 2200, 500), fill=0, width=3)
    for x in (1000, 1500):  # letters' strokes between them ("l", "|"), no rules down
        draw.rectangle((x, 420, x + 3, 480), fill=0)
    assert ocr._rows(*ocr._rules(page)) == []
