"""Tasks out of a plan's table (often its appendix): TT | task | lead | coordinating | deadline.

The heading row says which column is which, by the same label words as the body's
fields. Rows whose TT is a Roman numeral, or that fill only the task column, are
section headings; a row without TT continues the task above (merged cells).
"""
from __future__ import annotations

import re

from engine.importing.blocks import Block
from engine.importing.labels import CONTENT, LEAD, REF, RawTask, role_of
from engine.importing.titles import split_title

_ROMAN = re.compile(r"^[IVX]+\.?$")
_REF = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


def table_tasks(rows: list[Block]) -> list[RawTask]:
    """The tasks of every table whose heading row names a task and a lead column."""
    tasks: list[RawTask] = []
    columns: dict[int, str] | None = None
    section = ""
    for row in rows:
        heading = _columns(row.cells)
        if heading:
            columns, section = heading, ""
        elif columns:
            section = _read_row(row.cells, columns, tasks, section)
    return tasks


def _columns(cells: tuple[str, ...]) -> dict[int, str] | None:
    roles = {i: role_of(cell) for i, cell in enumerate(cells) if len(cell) < 60}
    known = {i: r for i, r in roles.items() if r}
    has_task = CONTENT in known.values()
    return known if has_task and LEAD in known.values() else None


def _read_row(cells: tuple[str, ...], columns: dict[int, str], tasks: list[RawTask], section: str) -> str:
    fields = {role: cells[i].strip() for i, role in columns.items() if i < len(cells) and cells[i].strip()}
    ref = fields.pop(REF, "").rstrip(".")
    texts = [v for v in fields.values() if v]
    if _ROMAN.match(ref) or (ref and len(texts) <= 1 and not _REF.match(ref)):
        return ref
    if not ref and set(fields) == {CONTENT}:
        return section
    if not ref and tasks:
        for role, text in fields.items():
            tasks[-1].add(role, text)
        return section
    if not texts:
        return section
    full_ref = f"{section}.{ref}" if section else ref  # numbering restarts in each section
    title, rest = split_title(fields.pop(CONTENT, ""))
    task = RawTask(full_ref, title, [rest] if rest else [])
    for role, text in fields.items():
        task.add(role, text)
    tasks.append(task)
    return section
