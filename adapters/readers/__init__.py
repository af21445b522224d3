"""File readers: a plan file (.docx, .md, .txt, .pdf, a scanned image) becomes the
neutral block stream.

`read_blocks(path)` picks the reader by extension, after checking the file's size;
each reader checks the content really is of its type. Every failure is an
`UnreadableFile` carrying an English msgid and its parameters, translated by the
entrypoint (web: `_()`; CLI: `web.i18n.cli_gettext`).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from functools import partial
from typing import Callable, TypeVar

from adapters.readers import markdown, pdf, plain_text, word
from adapters.readers.errors import UnreadableFile
from engine.importing import Block, errors as messages

MAX_BYTES = 10 * 1024 * 1024
MAX_BLOCKS = 8000  # paragraphs and table rows: the longest plans of the shared corpus hold under 1000
T = TypeVar("T")
_READERS: dict[str, Callable[[Path], list[Block]]] = {
    ".docx": word.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".txt": plain_text.read,
}
# Readers that work page by page and tell their progress: `progress(done, total)`.
_PAGED_READERS: dict[str, Callable[..., list[Block]]] = {
    ".pdf": pdf.read,
    **{suffix: pdf.read_image for suffix in pdf.IMAGE_SUFFIXES},
}
SUFFIXES = (*_READERS, *_PAGED_READERS)

__all__ = ["MAX_BYTES", "SUFFIXES", "UnreadableFile", "pages_to_read", "read_blocks", "read_source"]


def read_blocks(path: str | Path, progress: pdf.Progress | None = None) -> list[Block]:
    """The blocks of a plan file; raises UnreadableFile with a message for the user.
    A PDF or an image calls `progress(done, total)` after each page it reads."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix) or (partial(_PAGED_READERS[suffix], progress=progress)
                                      if suffix in _PAGED_READERS else None)
    if reader is None:
        raise UnreadableFile(messages.UNSUPPORTED_TYPE, suffix=path.suffix or path.name)
    _check_size(path)
    blocks = reader(path)
    if len(blocks) > MAX_BLOCKS:  # the parser's work grows with them: bounded here
        raise UnreadableFile(messages.TOO_MANY_PARAGRAPHS, count=len(blocks), limit=MAX_BLOCKS)
    if not any(b.text.strip() for b in blocks):
        raise UnreadableFile(messages.NOTHING_TO_READ)
    return blocks


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableFile(messages.NOT_FOUND, path=str(path)) from None
    if size == 0:
        raise UnreadableFile(messages.EMPTY)
    if size > MAX_BYTES:
        raise UnreadableFile(messages.TOO_LARGE, size=f"{size / 1024 / 1024:.1f}", limit=MAX_BYTES // 1024 // 1024)


def read_source(source: Path | bytes, filename: str, progress: pdf.Progress | None = None) -> list[Block]:
    """`read_blocks` for a path or an upload's bytes (the engine's `PlanReader`).

    An upload is checked for its type and size before anything is written, then read
    from a private temporary file named by its extension only: the client's name
    never becomes a path here."""
    if not isinstance(source, bytes):
        return read_blocks(source, progress)
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(messages.UNSUPPORTED_TYPE, suffix=suffix or filename)
    return _on_disk(source, suffix, lambda path: read_blocks(path, progress))


def pages_to_read(source: bytes, filename: str) -> int | None:
    """For a paged file (a PDF, a scanned image): its pages, checked against the size
    and page limits before any is read; None for a file read at once (.docx, .md, .txt)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in _PAGED_READERS:
        return None
    if not source:
        raise UnreadableFile(messages.EMPTY)
    return _on_disk(source, suffix, pdf.page_count)


def _on_disk(source: bytes, suffix: str, use: Callable[[Path], T]) -> T:
    """`use` on an upload written to a private temporary file, once its size is checked."""
    if len(source) > MAX_BYTES:
        raise UnreadableFile(messages.TOO_LARGE, size=f"{len(source) / 1024 / 1024:.1f}",
                             limit=MAX_BYTES // 1024 // 1024)
    with tempfile.TemporaryDirectory(prefix="planflow-import-") as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(source)
        return use(path)
