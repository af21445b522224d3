"""Tasks out of a plan's table (often its appendix): STT | task | lead | coordinating | deadline | product.

The heading row says which column is which, by the same label words as the body's
fields. Rows whose STT is a Roman numeral ("I", "II.", or "I. CẢI CÁCH THỂ CHẾ" in a
cell merged across the row), or that fill only the task column, are group headings,
not tasks; a group row's deadline is its tasks' when their own cell is blank. A row
without STT continues the task above (its cells were merged). A task row whose lead
or deadline cell is blank shares the one above in its group: a task always has both,
so the cell was merged over several rows. Refs take their
group's numeral ("II.1") only when the numbering restarts in each group.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.importing.blocks import Block
from engine.importing.labels import CONTENT, DEADLINE, LEAD, REF, RawTask, explicit, role_of
from engine.importing.titles import split_title

_ROMAN = re.compile(r"^([IVX]+)(?:[.)]?\s+\S.*|[.)]?)$", re.DOTALL)
_REF = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")
_MERGED_DOWN = (LEAD, DEADLINE)
_LONG_CELL = 600  # characters: a longer task cell holds a title and its details
_HEADING_SHARE = 0.6  # of a heading row's filled cells, at least this many are labels


@dataclass
class _Table:
    columns: dict[int, str]
    explicit_lead: bool
    group: str = ""
    group_deadline: tuple[str, ...] = ()  # a group row's deadline cell: its tasks' when theirs is blank


def table_tasks(rows: list[Block]) -> list[RawTask]:
    """The tasks of every table whose heading row names a task and a lead column."""
    found: list[tuple[str, RawTask]] = []  # (group, task with its own number)
    table: _Table | None = None
    for row in rows:
        start, heading = _heading_in(row.cells)
        if heading and table and _repeats(heading, table):
            continue
        if heading:
            if start and table:  # the row above's cells, then the next table's heading
                _read_row(row.cells[:start], table, found)
            cells = row.cells[start:]
            table = _Table(heading, all(explicit(LEAD, cells[i]) for i, r in heading.items() if r == LEAD))
        elif table:
            _read_row(row.cells, table, found)
    restarts = len({t.ref for _, t in found}) < len(found)
    for group, task in found:
        task.ref = f"{group}.{task.ref}" if group and restarts else task.ref
    return [task for _, task in found]


def _repeats(heading: dict[int, str], table: _Table) -> bool:
    """The table's heading repeated (on a new page, above a group) without its STT
    cell, which a conversion dropped as blank: the rows below keep the table's columns."""
    roles = set(table.columns.values())
    return REF in roles and REF not in heading.values() and set(heading.values()) == roles - {REF}


def _heading_in(cells: tuple[str, ...]) -> tuple[int, dict[int, str] | None]:
    """Where a heading row begins in a row, and its columns. A table flattened to one
    cell per line runs into the text before it when no blank cell parts them (the
    plan's last paragraph, its signature, the appendix's title): the heading then
    begins at its "STT" cell, and the rows below line up with it."""
    for start in range(len(cells) - 2):
        if role_of(cells[start]) == REF and (heading := _columns(cells[start:])):
            return start, heading
    return 0, _columns(cells)


def _columns(cells: tuple[str, ...]) -> dict[int, str] | None:
    """The heading row's roles by column; a data row (a number in its first cell, or
    cells that are mostly no label) is never one, so it never resets the columns."""
    filled = [cell for cell in cells if cell.strip()]
    roles = {i: role_of(cell) for i, cell in enumerate(cells) if len(cell) < 60}
    known = {i: r for i, r in roles.items() if r}
    if not filled or len(known) < _HEADING_SHARE * len(filled) or _REF.match(filled[0].strip()):
        return None
    has_task = CONTENT in known.values()
    return known if has_task and LEAD in known.values() else None


def _read_row(cells: tuple[str, ...], table: _Table, found: list[tuple[str, RawTask]]) -> None:
    fields = {role: cells[i].strip() for i, role in table.columns.items() if i < len(cells) and cells[i].strip()}
    ref = fields.pop(REF, "").rstrip(".")
    if ":" in ref or len(ref.split()) > 2:
        return  # a label in the STT column ("Địa chỉ:"): a page's footer, not a task
    texts = [v for v in fields.values() if v]
    group = _ROMAN.match(ref)
    if group or (ref and len(texts) <= 1 and not _REF.match(ref)):
        table.group = group.group(1) if group else ref
        table.group_deadline = (fields[DEADLINE],) if DEADLINE in fields else ()
        return
    in_group = [task for g, task in found if g == table.group]
    if not ref and set(fields) == {CONTENT}:
        return
    if not ref and in_group:
        for role, text in fields.items():
            _add(in_group[-1], role, text, table)
        return
    if not texts or (CONTENT not in fields and len(texts) == 1):
        return  # a numbered sub-heading whose words fell into another column (merged cells)
    title, rest = _cell_title(fields.pop(CONTENT, ""))
    task = RawTask(ref, title, [rest] if rest else [])
    for role, text in fields.items():
        _add(task, role, text, table)
    if not task.deadline and table.group_deadline:
        task.deadline, task.deadline_from = list(table.group_deadline), "group"
    if in_group:
        _share_merged_cells(task, in_group[-1], table)
    found.append((table.group, task))


def _add(task: RawTask, role: str, text: str, table: _Table) -> None:
    task.add(role, text, table.explicit_lead if role == LEAD else True)


def _share_merged_cells(task: RawTask, above: RawTask, table: _Table) -> None:
    for role in _MERGED_DOWN:
        if role in table.columns.values() and not getattr(task, role) and getattr(above, role):
            setattr(task, role, list(getattr(above, role)))


def _cell_title(cell: str) -> tuple[str, str]:
    """A task cell is the task as its plan names it, several sentences or not; only a
    long one is split into a title and details."""
    text = " ".join(cell.split())
    return (text, "") if len(text) <= _LONG_CELL else split_title(cell)
