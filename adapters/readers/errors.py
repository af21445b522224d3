"""The one error a reader raises: the file cannot be read as a plan (an English msgid)."""
from __future__ import annotations

from engine.importing.errors import PlanFileError


class UnreadableFile(PlanFileError):
    """The file is empty, too large, of an unsupported type, or not what its name says."""
