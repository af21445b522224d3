"""The one parser: a block stream (from any reader) becomes a plan and its tasks.

Paragraphs go through the outline reader, table rows through the table reader; both
give raw tasks (fields as written), which are then resolved here: units through the
directory, deadlines into schedules in the plan's year, and a warning for everything
a person must settle. A task that states no deadline of its own runs through the time
the plan states for itself (its "Thời gian thực hiện", else its title's period).
"""
from __future__ import annotations

import re
from dataclasses import replace

from engine.importing import header
from engine.importing.blocks import Block
from engine.importing.deadline_phrases import (
    UNRESOLVED,
    PlanYears,
    parse_deadline,
    plan_years,
    running,
    title_period,
)
from engine.importing.errors import NO_TASK, NOT_A_PLAN, PlanFileError
from engine.importing.labels import COORDINATORS, LEAD, RawTask, trailing_role
from engine.importing.outline import read_outline
from engine.importing.result import ImportedPlan, ImportedTask, ImportResult
from engine.importing.tables import table_tasks
from engine.importing.units import UnitDirectory, UnitRef
from engine.incoming_text import cleaned
from engine.text_folding import match_key, squash

_NAME_WORDS = 6
_NOT_A_NAME = re.compile(r"(?:theo|khi|sau|tuy|neu|thuc hien|trien khai|cac nhiem vu|khong)\b")
_PARENTHESES = re.compile(r"\([^()]*\)|\([^()]*$")
_ROLE_MARK = re.compile(r"\(\s*((?:ch[uủ]|chu)\s+tr[iì]|ph[oốô]i\s+h[oợ]p)\s*\)", re.IGNORECASE)


# The title line of documents that are not plans; a plan's is "KẾ HOẠCH".
_OTHER_KINDS = ("quyet dinh", "cong van", "thong bao", "bao cao", "to trinh", "chi thi", "nghi quyet", "thong tu",
                "nghi dinh", "huong dan", "cong dien", "giay moi", "quy che", "quy dinh")
_PLAN_KIND = "ke hoach"


class NoTaskFound(PlanFileError):
    """The document reads, but holds no task of a plan; `kind` is what it is instead,
    when its title line says ("QUYẾT ĐỊNH")."""

    def __init__(self, kind: str | None = None) -> None:
        if kind:
            super().__init__(NOT_A_PLAN, kind=kind)
        else:
            super().__init__(NO_TASK)


def parse_blocks(blocks: list[Block], directory: UnitDirectory) -> ImportResult:
    """Read a plan out of a block stream; raises NoTaskFound when it holds no task."""
    blocks = [_cleaned(b) for b in blocks]  # every reader's text comes in here
    paragraphs = [b.text for b in blocks if not b.is_row]
    outline = read_outline(paragraphs)
    # A plan with an appendix table of tasks describes them in its body: the body's
    # unlabelled items are tasks only when neither fields nor a table name any; then
    # those a sentence or a heading assigns, then the duties its organisation section
    # gives each unit, else the bare headings.
    raw_tasks = (outline.tasks + table_tasks([b for b in blocks if b.is_row]) or outline.said or outline.assigned
                 or outline.guessed)
    if not raw_tasks:
        raise NoTaskFound(_other_kind(blocks))
    title = header.plan_title(outline.preamble)
    letterhead = _letterhead(blocks)
    issued = header.issued_on(letterhead)
    years = plan_years(title, [" ".join(raw.deadline) for raw in raw_tasks], issued)
    # A task that states no time runs through the plan's: as its body states it, else its title.
    period = squash(outline.period) or title_period(title)
    for raw in raw_tasks:
        if not raw.deadline and period:
            raw.deadline, raw.deadline_from = [period], "plan"
    warnings: list[str] = []
    tasks = [_task(raw, years, directory, warnings) for raw in raw_tasks]
    plan = ImportedPlan(
        number=header.plan_number(letterhead),
        issued_on=issued,
        year=years.first,
        monitor=header.monitor(outline.organisation, directory),
        title=title,
    )
    result = ImportResult(plan, tasks, warnings)
    warnings += [f"Đơn vị “{u.name}” chưa có trong danh mục: xác nhận để thêm mới." for u in result.new_units]
    return result


def _cleaned(block: Block) -> Block:
    """The block's text under the rule for text coming in (`engine/incoming_text.py`): a
    Word line break pasted as "\\x0b" is a line break, an escape is dropped. The same
    block when nothing changes: a plan's thousands of blocks are not copied for nothing."""
    text, cells = cleaned(block.text), tuple(cleaned(c) for c in block.cells)
    return block if (text, cells) == (block.text, block.cells) else replace(block, text=text, cells=cells)


def _other_kind(blocks: list[Block]) -> str | None:
    """The kind of document, as its title line writes it, when it is no plan and holds
    none ("QUYẾT ĐỊNH Công bố thủ tục hành chính ..."); None when a "KẾ HOẠCH" is in it."""
    lines = _letterhead(blocks)
    keys = [match_key(line) for line in lines]
    if _PLAN_KIND in keys:
        return None
    return next((squash(line).rstrip(" :") for line, key in zip(lines, keys) if key in _OTHER_KINDS), None)


def _letterhead(blocks: list[Block]) -> list[str]:
    """The lines a letterhead may hold, in order: Word often sets it in a borderless
    table (the office and "Số: ..." left, the motto and "..., ngày ..." right)."""
    return [line for b in blocks for text in (b.cells if b.is_row else (b.text,)) for line in text.splitlines()
            if line.strip()]


def _task(raw: RawTask, years: PlanYears, directory: UnitDirectory, warnings: list[str]) -> ImportedTask:
    lead, coordinators = _units(raw, directory)
    deadline_text = squash("; ".join(raw.deadline))
    schedule = parse_deadline(deadline_text, years)
    if raw.deadline_from == "plan":
        schedule = running(schedule)
    if schedule.kind == UNRESOLVED:
        warnings.append(f"Nhiệm vụ {raw.ref}: chưa xác định được thời hạn “{deadline_text}”.")
    if not lead:
        warnings.append(f"Nhiệm vụ {raw.ref}: chưa rõ đơn vị chủ trì.")
    return ImportedTask(
        ref=raw.ref,
        title=squash(raw.title),
        content="\n".join(squash(c) for c in raw.content if c.strip()),
        lead=lead,
        coordinators=coordinators,
        director=directory.director(" - ".join(raw.director)) or None,
        product=squash("; ".join(raw.product)) or None,
        deadline_text=deadline_text,
        schedule=schedule,
        guessed=raw.guessed,
        source=_source(raw),
        deadline_from=raw.deadline_from,
    )


def _source(raw: RawTask) -> str:
    """The task as written: its heading and the fields' values, as the plan has them."""
    parts = [raw.title, *(text for text, _ in raw.lead), *raw.coordinators, *raw.director, *raw.deadline]
    return " · ".join(squash(p) for p in parts if p.strip())


def _units(raw: RawTask, directory: UnitDirectory) -> tuple[list[UnitRef], list[UnitRef]]:
    found: dict[str, list[UnitRef]] = {LEAD: [], COORDINATORS: []}
    values = [(LEAD, text, explicit) for text, explicit in raw.lead]
    values += [(COORDINATORS, text, True) for text in raw.coordinators]
    values = [split for value in values for split in _marked(*value)]
    # "Đơn vị thực hiện: A chủ trì; B phối hợp": each clause names its own role.
    values = [(role, part, explicit) for role, text, explicit in values
              for part in ([text] if explicit else text.split(";"))]
    for role, text, explicit in values:
        units, rest = directory.field_units(_names_part(text))
        if not units and explicit:
            # A label names units: a short name of no known shape ("Viettel Nghệ An") is
            # kept as written, for a person to confirm, rather than dropped.
            units = [directory.resolve(part.strip(" .")) for part in _names_part(text).split(";") if _a_name(part)]
        # "Đơn vị thực hiện: ... A và B phối hợp": the phrase decides when the label does not.
        role = role if explicit else trailing_role(rest) or role
        found[role] += [u for u in units if u not in found[role]]
    return found[LEAD], found[COORDINATORS]


def _a_name(text: str) -> bool:
    """Words that can be a name: a few, capitalised, no figures, no phrase of time or manner."""
    text = text.strip(" .,")
    return (0 < len(text.split()) <= _NAME_WORDS and text[:1].isupper() and not any(c.isdigit() for c in text)
            and not _NOT_A_NAME.match(match_key(text)) and not trailing_role(text))


def _marked(role: str, text: str, explicit: bool) -> list[tuple[str, str, bool]]:
    """ "Sở Nội vụ (chủ trì), Sở Tư pháp": the units a "(chủ trì)" or "(phối hợp)" follows
    take that role, the units after the last mark the other one; the marks win over the
    label (a cell "Cơ quan chủ trì" holding both)."""
    parts = _ROLE_MARK.split(text)
    if len(parts) == 1:
        return [(role, text, explicit)]
    marked = [(trailing_role(mark) or role, names, True) for names, mark in zip(parts[::2], parts[1::2])]
    last = marked[-1][0]
    rest = COORDINATORS if last == LEAD else LEAD
    return [*marked, (rest, parts[-1], True)] if parts[-1].strip(" ,;.") else marked


def _names_part(text: str) -> str:
    """The part of a field value that names units: without asides in parentheses, and
    after the colon of "Tổng hợp, báo cáo kết quả: Phòng Tổng hợp"."""
    while _PARENTHESES.search(text):
        text = _PARENTHESES.sub(" ", text)
    return text.rsplit(":", 1)[-1]

