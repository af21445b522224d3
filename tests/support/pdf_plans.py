"""Plans as the tests' own PDF files: a text PDF (a text layer, a table drawn with
borders) and a scan (the plan rendered to page images, then saved as a PDF of
images, with no text layer), in a font with Vietnamese glyphs."""
from __future__ import annotations

import textwrap
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
SCAN_DPI = 200
_LINES_PER_PAGE = 46
_WRAP = 80
PAGE_BREAK = "\f"


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
    pages = scan_pages(lines)
    pages[0].save(path, "PDF", resolution=SCAN_DPI, save_all=True, append_images=pages[1:])
    return path


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
