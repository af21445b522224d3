"""The one rule for text coming in, whoever brings it: typed in a step form or a form
field, sent in JSON, or read from an imported file (docx, xlsx, txt, md, PDF, OCR).

- A line or page break written as a control character becomes a line break: "\\x0b"
  is how Word and PowerPoint hand over a manual line break ("Shift+Enter") when text
  is pasted, "\\x0c" a page break, and U+0085, U+2028 and U+2029 are Unicode's own line
  and paragraph separators. Refusing them would punish ordinary users for a paste.
- Tab, line feed and carriage return stay as typed.
- Every other control character (C0, DEL, C1: an ESC from a terminal, a BEL, a NUL a
  file carried) and every non-character (U+FFFE, U+FFFF and the like: a byte-order
  mark read the wrong way round) is dropped: nobody means one, a page cannot show it
  and a Word or Excel report cannot carry it.

A NUL and half a UTF-16 pair sent in a request are still refused before this, by
`web/limits.py` (a 400 naming the field), since no person types them. Applied where
text enters the engine: `text_limits.limited_text` (the step forms, reasons, notes),
the import draft as it comes back (`ImportDraft.from_dict`), the readers' blocks
(`importing.parser.parse_blocks`) and a day off's name (`deadlines/office_days.py`).
"""
from __future__ import annotations

from typing import Any

LINE_BREAKS = "\x0b\x0c\x85\u2028\u2029"
KEPT = "\t\n\r"
NONCHARACTERS = [*range(0xFDD0, 0xFDF0), *(plane + last for plane in range(0, 0x110000, 0x10000)
                                           for last in (0xFFFE, 0xFFFF))]
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_TABLE: dict[int, str | None] = {
    **{code: None for code in [*_CONTROLS, *NONCHARACTERS] if chr(code) not in KEPT},
    **{ord(ch): "\n" for ch in LINE_BREAKS},
}


def cleaned(text: str) -> str:
    """`text` under the rule above. Every character it changes is unprintable, so printable
    text, nearly all of it, is returned as it is: `str.translate` walks Vietnamese text a
    character at a time (16 us a paragraph; `isprintable` takes 0.3 us)."""
    return text if text.isprintable() else text.translate(_TABLE)


def cleaned_strings(value: Any) -> Any:
    """Every string in a JSON-simple value (dicts, lists, strings, numbers), cleaned."""
    if isinstance(value, str):
        return cleaned(value)
    if isinstance(value, dict):
        return {cleaned_strings(k): cleaned_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cleaned_strings(v) for v in value]
    return value
