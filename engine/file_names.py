"""The name a file sent to the office is kept under, whatever it is: a step's product
(an attachment, downloaded under it) and a plan file read for import (its draft's and
plan's label). Both columns hold 255 characters; a name is a label, so the name of a
file sent in is shortened, never refused. (A draft sent back by the confirm API naming
a longer one is refused with the draft's other texts: `draft._too_long`.)
"""
from __future__ import annotations

MAX_FILENAME = 200


def safe_filename(name: str) -> str:
    """Its last path part (a browser may send "C:\\Users\\...\\report.pdf", a script
    "../../x"), without control characters (they would break the download's header), its
    last MAX_FILENAME characters (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return cleaned[-MAX_FILENAME:] or "file"
