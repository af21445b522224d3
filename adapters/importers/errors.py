"""The one error a reader raises: the file cannot be read as a plan (Vietnamese message)."""
from __future__ import annotations


class UnreadableFile(ValueError):
    """The file is empty, too large, of an unsupported type, or not what its name says."""
