"""Plan import: a block stream from any reader becomes a plan and its tasks.

Public API: `parse_blocks(blocks, directory) -> ImportResult`, `Block`,
`UnitDirectory` (built from an office's stored units: the engine knows none),
`NoTaskFound` when a document holds no task.
"""
from __future__ import annotations

from engine.importing.blocks import Block
from engine.importing.parser import NoTaskFound, parse_blocks
from engine.importing.result import ImportedPlan, ImportedTask, ImportResult
from engine.importing.units import UnitDirectory, UnitRef

__all__ = [
    "Block", "ImportResult", "ImportedPlan", "ImportedTask", "NoTaskFound", "UnitDirectory",
    "UnitRef", "parse_blocks",
]
