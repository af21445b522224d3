"""Reader of PDF files and images: a text layer is read with its tables; a page
without one (a scan), and an image, go through OCR (Tesseract, Vietnamese data).

A page's text between its tables becomes paragraphs (lines rebuilt as the plain-text
reader does), each table's rows become rows, in the order they stand on the page;
a scanned page's tables are found by their rules (adapters.readers.ocr).
Work is bounded before it starts: a PDF of more than MAX_PAGES pages, or an image
larger than MAX_PIXELS, is refused. `progress(done, total)` is called after each page.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from adapters.readers import ocr
from adapters.readers.errors import UnreadableFile
from adapters.readers.ocr_repair import repaired
from adapters.readers.plain_text import paragraphs
from engine.importing import Block
from engine.importing import errors as messages

Progress = Callable[[int, int], None]

MAX_PAGES = 40
MAX_PIXELS = 60_000_000  # a scanned A4 page at 600 dpi is about 35 megapixels
OCR_DPI = 300
_TEXT_LAYER_CHARS = 40  # fewer characters than this on a page: a scan
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def read(path: Path, progress: Progress | None = None) -> list[Block]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        document = pdfplumber.open(path)
    except (PdfminerException, ValueError, TypeError, OSError) as error:
        raise UnreadableFile(messages.DAMAGED_PDF, detail=str(error)) from error
    with document:
        pages = document.pages
        if len(pages) > MAX_PAGES:
            raise UnreadableFile(messages.TOO_MANY_PAGES, pages=len(pages), limit=MAX_PAGES)
        blocks: list[Block] = []
        scanned = False
        for number, page in enumerate(pages, 1):
            text_layer = page.extract_text() or ""
            if len(text_layer.strip()) >= _TEXT_LAYER_CHARS:
                blocks += _page_blocks(page)
            else:
                image = page.to_image(resolution=OCR_DPI).original
                blocks += ocr.page_blocks(image)
                scanned = True
            if progress:
                progress(number, len(pages))
    return repaired(blocks) if scanned else blocks


def read_image(path: Path, progress: Progress | None = None) -> list[Block]:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # larger ones raise instead of filling memory
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise UnreadableFile(messages.TOO_MANY_PAGES, pages=frames, limit=MAX_PAGES)
            blocks: list[Block] = []
            for number in range(frames):  # a .tif may hold one page per frame
                image.seek(number)
                blocks += ocr.page_blocks(image)
                if progress:
                    progress(number + 1, frames)
            return repaired(blocks)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise UnreadableFile(messages.NOT_AN_IMAGE, detail=str(error)) from error


def _page_blocks(page) -> list[Block]:
    """Text above, between and below the page's tables, and the tables' rows."""
    blocks: list[Block] = []
    top = 0.0
    for table in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
        blocks += _text_between(page, top, table.bbox[1])
        blocks += [Block.row([(cell or "").strip() for cell in row]) for row in table.extract() if any(row)]
        top = table.bbox[3]
    return blocks + _text_between(page, top, page.height)


def _text_between(page, top: float, bottom: float) -> list[Block]:
    if bottom - top < 1:
        return []
    text = page.crop((0, top, page.width, bottom)).extract_text() or ""
    return [Block.paragraph(p) for p in paragraphs(_with_paragraph_breaks(text))]


def _with_paragraph_breaks(text: str) -> str:
    """A text layer has lines, not paragraphs: a line that ends a sentence or a clause,
    or a heading in capitals, ends its paragraph."""
    out: list[str] = []
    for line in text.splitlines():
        out.append(line)
        letters = [c for c in line if c.isalpha()]
        if line.rstrip().endswith((".", ":", ";")) or (letters and all(c.isupper() for c in letters)):
            out.append("")
    return "\n".join(out)


def page_count(path: Path) -> int:
    """How many pages a PDF or an image holds, refusing one over the limit: cheap, so
    it is checked before any page is read."""
    if path.suffix.lower() == ".pdf":
        import pdfplumber
        from pdfplumber.utils.exceptions import PdfminerException

        try:
            with pdfplumber.open(path) as document:
                pages = len(document.pages)
        except (PdfminerException, ValueError, TypeError, OSError) as error:
            raise UnreadableFile(messages.DAMAGED_PDF, detail=str(error)) from error
    else:
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with Image.open(path) as image:
                pages = getattr(image, "n_frames", 1)
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
            raise UnreadableFile(messages.NOT_AN_IMAGE, detail=str(error)) from error
    if pages > MAX_PAGES:
        raise UnreadableFile(messages.TOO_MANY_PAGES, pages=pages, limit=MAX_PAGES)
    return pages
