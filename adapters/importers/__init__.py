"""File readers: a plan file (.docx, .md, .txt) becomes the neutral block stream.

`read_blocks(path)` picks the reader by extension, after checking the file's size;
each reader checks the content really is of its type. Every failure is an
`UnreadableFile` whose message (Vietnamese) can be shown as it is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from adapters.importers import docx, markdown, text
from adapters.importers.errors import UnreadableFile
from engine.importing import Block

MAX_BYTES = 10 * 1024 * 1024
_READERS: dict[str, Callable[[Path], list[Block]]] = {
    ".docx": docx.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".txt": text.read,
}

__all__ = ["MAX_BYTES", "UnreadableFile", "read_blocks"]


def read_blocks(path: str | Path) -> list[Block]:
    """The blocks of a plan file; raises UnreadableFile with a message for the user."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(
            f"Không hỗ trợ loại tệp “{path.suffix or path.name}”: chỉ nhận tệp Word (.docx), Markdown (.md) "
            "hoặc văn bản (.txt). Tệp .doc hãy lưu lại thành .docx; bản scan hãy chuyển thành .txt."
        )
    _check_size(path)
    blocks = reader(path)
    if not any(b.text.strip() for b in blocks):
        raise UnreadableFile("Tệp không có nội dung nào để đọc.")
    return blocks


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableFile(f"Không tìm thấy hoặc không mở được tệp “{path}”.") from None
    if size == 0:
        raise UnreadableFile("Tệp rỗng: không có nội dung nào để đọc.")
    if size > MAX_BYTES:
        raise UnreadableFile(f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB): giới hạn là {MAX_BYTES // 1024 // 1024} MB.")
