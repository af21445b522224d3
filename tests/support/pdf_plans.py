"""Plans as the tests' own PDF files: a text PDF (a text layer, a table drawn with
borders) and a scan (the plan rendered to page images, then saved as a PDF of
images, with no text layer), in a font with Vietnamese glyphs.

A plan file (.txt, .md, .docx) is printed as a printer would print it: its
paragraphs wrapped to the page, its tables drawn as tables (ruled cells, each
cell's text wrapped in its column), never as the "|" characters of its source.
"""
from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from engine.importing import Block

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
SCAN_DPI = 200
_LINES_PER_PAGE = 46
_WRAP = 80
PAGE_BREAK = "\f"

# A printed plan: A4 at a scanner's usual 300 dpi, the margins of an official
# document, 12 pt text, 11 pt in tables, rules of half a point.
PRINT_DPI = 300
_MM = PRINT_DPI / 25.4
_PT = PRINT_DPI / 72
_PAGE = (round(210 * _MM), round(297 * _MM))
_MARGINS = (round(30 * _MM), round(20 * _MM), round(15 * _MM), round(20 * _MM))  # left, top, right, bottom
_TEXT_PT, _TABLE_PT = 12, 11
_RULE = max(2, round(0.5 * _PT))
_CELL_PAD = round(1.5 * _MM)
_LANDSCAPE_COLUMNS = 5


def text_pdf(lines: list[str], path: Path, table: list[list[str]] | None = None) -> Path:
    """A PDF with a text layer: the lines, then (if given) a bordered table."""
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_font("DejaVu", fname=str(FONT))
    document.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
    document.set_font("DejaVu", size=11)
    document.add_page()
    for line in lines:
        document.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if table:
        with document.table(text_align="LEFT") as grid:
            for values in table:
                row = grid.row()
                for value in values:
                    row.cell(value)
    document.output(str(path))
    return path


def scanned_pdf(lines: list[str], path: Path) -> Path:
    """The lines rendered as a scan would give them: page images, no text layer."""
    return _save(scan_pages(lines), path, SCAN_DPI)


def scan_pages(lines: list[str]) -> list:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), size=int(SCAN_DPI * 11 / 72))
    width, height = int(8.27 * SCAN_DPI), int(11.69 * SCAN_DPI)
    pages = []
    for chunk in _pages(lines):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        for n, line in enumerate(chunk):
            draw.text((int(0.8 * SCAN_DPI), int(0.8 * SCAN_DPI) + n * int(SCAN_DPI * 0.21)), line, font=font, fill=0)
        pages.append(page)
    return pages


def _pages(lines: list[str]) -> list[list[str]]:
    """Wrapped lines, page by page; a line holding PAGE_BREAK starts a new page."""
    pages: list[list[str]] = [[]]
    for line in lines:
        if line == PAGE_BREAK:
            pages.append([])
            continue
        for part in textwrap.wrap(line, _WRAP) or [""]:
            if len(pages[-1]) == _LINES_PER_PAGE:
                pages.append([])
            pages[-1].append(part)
    return [page for page in pages if page]


def _save(pages: list, path: Path, dpi: int) -> Path:
    pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return path


def printed_scan(plan: Path, cache: Path) -> Path:
    """The plan file printed and scanned: a PDF of page images. Kept in `cache` under
    a name made of the plan's bytes and this printer's code, so that a test run after
    the first reuses it; a changed plan or printer prints anew."""
    key = hashlib.sha256(plan.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    path = cache / f"{plan.stem}-{key}.pdf"
    if not path.is_file():
        from adapters.readers import read_blocks

        cache.mkdir(parents=True, exist_ok=True)
        partial = printed_pdf(read_blocks(plan), path.with_suffix(".partial"))
        partial.replace(path)  # a run stopped halfway leaves no half-printed scan behind
    return path


def printed_pdf(blocks: list[Block], path: Path, askew: float = 0) -> Path:
    """Blocks printed (`print_blocks`) and scanned in black and white, as a scanner
    keeps a page of text (a tenth of the bytes of grey): a PDF of page images; each
    page turned by `askew` degrees, as a page fed askew into the scanner."""
    from PIL import Image

    pages = [page.rotate(askew, resample=Image.Resampling.BICUBIC, fillcolor=255) if askew else page
             for page in print_blocks(blocks)]
    return _save([page.convert("1") for page in pages], path, PRINT_DPI)


def print_blocks(blocks: list[Block]) -> list:
    """Page images of a plan's blocks: paragraphs wrapped (headings and bold
    paragraphs in bold), each run of table rows with the same number of cells drawn
    as one ruled table; a row too tall for the rest of a page goes on the next page,
    and one taller than a page is cut there, as a printer cuts it. A table of many
    columns (an appendix of tasks) is printed on landscape pages, as offices do."""
    printer = _Printer()
    tables: list[list[Block]] = []
    for block in blocks:
        if block.is_row:
            if tables and len(tables[-1][-1].cells) == len(block.cells):
                tables[-1].append(block)
            else:
                tables.append([block])
            continue
        for table in tables:
            printer.table([list(row.cells) for row in table])
        tables = []
        printer.paragraph(block.text, bold=block.style in ("heading", "bold"))
    for table in tables:
        printer.table([list(row.cells) for row in table])
    return printer.finish()


@dataclass
class _Printer:
    pages: list = field(default_factory=list)
    y: int = 0

    def __post_init__(self) -> None:
        from PIL import ImageFont

        self.fonts = {(size, bold): ImageFont.truetype(str(FONT_BOLD if bold else FONT), size=round(size * _PT))
                      for size in (_TEXT_PT, _TABLE_PT) for bold in (False, True)}
        self._new_page()

    @property
    def _left(self) -> int:
        return _MARGINS[0]

    @property
    def _width(self) -> int:
        return self.pages[-1].size[0] - _MARGINS[0] - _MARGINS[2]

    @property
    def _bottom(self) -> int:
        return self.pages[-1].size[1] - _MARGINS[3]

    @property
    def _landscape(self) -> bool:
        return self.pages[-1].size[0] > self.pages[-1].size[1]

    def _new_page(self, landscape: bool = False) -> None:
        from PIL import Image, ImageDraw

        if self.pages and self.y == _MARGINS[1]:
            self.pages.pop()  # nothing was printed on the page begun
        self.pages.append(Image.new("L", _PAGE[::-1] if landscape else _PAGE, 255))
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = _MARGINS[1]

    def _orient(self, landscape: bool) -> None:
        if self._landscape != landscape:
            self._new_page(landscape)

    def finish(self) -> list:
        if self.y == _MARGINS[1] and len(self.pages) > 1:
            self.pages.pop()
        return self.pages

    def _line_height(self, size: int) -> int:
        return round(size * _PT * 1.35)

    def paragraph(self, text: str, bold: bool = False) -> None:
        self._orient(landscape=False)
        font = self.fonts[(_TEXT_PT, bold)]
        height = self._line_height(_TEXT_PT)
        for line in _wrap(text, font, self._width):
            if self.y + height > self._bottom:
                self._new_page(self._landscape)
            self.draw.text((self._left, self.y), line, font=font, fill=0)
            self.y += height
        self.y += round(6 * _PT)  # the space after a paragraph

    def table(self, rows: list[list[str]]) -> None:
        self._orient(landscape=len(rows[0]) >= _LANDSCAPE_COLUMNS)
        font = self.fonts[(_TABLE_PT, False)]
        height = self._line_height(_TABLE_PT)
        widths = _column_widths(rows, font, self._width)
        for cells in rows:
            lines = [_wrap(cell, font, width - 2 * _CELL_PAD) for cell, width in zip(cells, widths)]
            remaining, first = max(len(cell) for cell in lines), 0
            if self.y + remaining * height + 2 * _CELL_PAD > self._bottom \
                    and remaining * height + 2 * _CELL_PAD <= self._bottom - _MARGINS[1]:
                self._new_page(self._landscape)
            while remaining:  # a row taller than the page's rest is cut at its foot
                fit = (self._bottom - self.y - 2 * _CELL_PAD) // height
                if fit < 1:
                    self._new_page(self._landscape)
                    continue
                count = min(fit, remaining)
                self._row_part(lines, widths, first, count, height)
                first, remaining = first + count, remaining - count
        self.y += round(6 * _PT)

    def _row_part(self, lines: list[list[str]], widths: list[int], first: int, count: int, height: int) -> None:
        font = self.fonts[(_TABLE_PT, False)]
        top, bottom = self.y, self.y + count * height + 2 * _CELL_PAD
        x = self._left
        for cell_lines, width in zip(lines, widths):
            for n, line in enumerate(cell_lines[first:first + count]):
                self.draw.text((x + _CELL_PAD, top + _CELL_PAD + n * height), line, font=font, fill=0)
            self.draw.rectangle((x, top, x + width, bottom), outline=0, width=_RULE)
            x += width
        self.y = bottom


def _column_widths(rows: list[list[str]], font, total: int) -> list[int]:
    """Columns as wide as their longest word at least; the rest of the width shared
    by how much text each column holds."""
    columns = len(rows[0])
    least = [max((font.getlength(word) for row in rows for word in row[j].split()), default=0) + 2 * _CELL_PAD + 4
             for j in range(columns)]
    least = [min(width, total / columns) for width in least]
    text = [sum(len(row[j]) for row in rows) + 1 for j in range(columns)]
    spare = max(0, total - sum(least))
    widths = [round(w + spare * t / sum(text)) for w, t in zip(least, text)]
    widths[-1] += total - sum(widths)
    return widths


def _wrap(text: str, font, width: float) -> list[str]:
    """The text's lines as printed in `width` pixels (its own line breaks kept); a word
    longer than the width is cut."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split():
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while font.getlength(line) > width and len(line) > 1:
                cut = max(1, int(len(line) * width / font.getlength(line)) - 1)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines or [""]
