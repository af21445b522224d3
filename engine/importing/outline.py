"""A plan's body as an outline: sections, numbered items, lettered sub-items, fields.

The genre: sections "I.", "II." (purpose, tasks, organisation); items "1.", "2.1.",
sub-items "a)"; under an item, labelled fields ("- Cơ quan chủ trì: ..."), whose
values may go on in "+" bullets. A lettered line that is itself a field label
("b) Đơn vị thực hiện:") is a field, not a sub-item. Bullets that each carry their own
lead and deadline are tasks of their own ("10.1", "10.2"). An item is a task when it
has a lead, coordinators, a director or a deadline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from engine.importing.labels import (
    CONTENT,
    COORDINATORS,
    DEADLINE,
    DIRECTOR,
    LEAD,
    PRODUCT,
    RawTask,
    split_label,
    strip_content_label,
)
from engine.importing.sentences import deadline_in, read_assignment, unit_heading
from engine.importing.titles import split_title
from engine.text_folding import match_key, squash

_ROMAN = re.compile(r"^\s*([IVX][IVXl1]{0,4})\s*[.)]\s+")
# "1.", "2.1.", "a)"; a ref without its trailing dot ("7.1 Xây dựng"); items above 99.
_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\s*[.)](?!\d)\s*(?=\S)|^\s*(\d{1,3}(?:\.\d{1,3})+)\s+(?=\S)")
# OCR loses the dot of "7." now and then: a bare number counts when it is the next one.
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s+(?=[A-ZĐ])")
_ANY_NUMERAL = re.compile(r"^\s*(\S{1,4}?)\s*[.)]?\s+(?=[A-ZĐÀ-Ỹ])")
_JUNK_LETTER = re.compile(r"^\s*[^\w\s]{1,3}\)\s*(?=[A-ZĐÀ-Ỹ])")
_LETTER = re.compile(r"^\s*([a-zA-Z¢đĐ])[^\w\s)]?\)\s*")
_BULLET = re.compile(r"^\s*((?:[-–—+•*·▪]\s*)+)")
_BETWEEN_FIELDS = re.compile(r"[;.]\s+")
_LIST_ROLES = (LEAD, COORDINATORS, PRODUCT, CONTENT)
# After these fields, a bullet that is no field value begins a sub-task of its own.
_CLOSING_ROLES = (None, LEAD, COORDINATORS, DIRECTOR, DEADLINE)
_SKIPPED_SECTIONS = ("muc dich", "yeu cau", "kinh phi")
_ORGANISATION = "to chuc thuc hien"
_SECTION_WORDS = (*_SKIPPED_SECTIONS, _ORGANISATION, "nhiem vu", "giai phap", "noi dung")
_END_OF_BODY = "noi nhan"
_CLOSING_WORDS = "tren day la"  # "Trên đây là Kế hoạch ...": the plan's closing paragraph, never a task
# "III. THỜI GIAN THỰC HIỆN", "3. Thời gian thực hiện Chương trình: Từ năm 2025 đến hết năm 2030":
# the plan's own time, which its tasks that state none run through.
_PLAN_TIME = re.compile(r"^thoi gian(?: thuc hien| trien khai)?\b")
_PLAN_HEADING = "ke hoach"


@dataclass(frozen=True)
class _Mark:
    kind: str  # "roman", "number", "letter", "bullet" or ""
    label: str
    text: str
    bullet: str = ""


@dataclass
class _Line:
    text: str
    bullet: str


@dataclass
class _Node:
    ref: str
    head: str
    lines: list[_Line] = field(default_factory=list)
    children_merged: bool = False


@dataclass
class Outline:
    """The parts of a body the parser needs: task items (with labelled fields),
    organisation section, preamble; the items whose lead a sentence or a unit heading
    names (`said`), the duties the organisation section gives each unit (`assigned`:
    "IV. TỔ CHỨC THỰC HIỆN 1. Sở Khoa học và Công nghệ: - ..."), and the leaf items
    (`guessed`), each the tasks only when nothing surer is."""

    tasks: list[RawTask]
    organisation: list[str]
    preamble: list[str]
    said: list[RawTask] = field(default_factory=list)
    guessed: list[RawTask] = field(default_factory=list)
    period: str = ""  # the plan's time as it states it ("Từ năm 2025 đến hết năm 2030"), if it does
    assigned: list[RawTask] = field(default_factory=list)


def read_outline(paragraphs: list[str]) -> Outline:
    """Tasks, the organisation section and the preamble of a plan's paragraphs."""
    nodes, organisation, preamble, period = _walk(_merge_continuations(paragraphs))
    times = [n for n in nodes if "." not in n.ref and _plan_time(n.head) is not None]
    nodes = [n for n in _share_trailing_fields(nodes) if n not in times]
    found = _found(nodes)
    tasks = [raw for raw in found if not raw.from_sentence]
    said = [raw for raw in found if raw.from_sentence]
    # Without any labelled field, the leaf items are the tasks: a guess from the layout.
    guessed = [RawTask(n.ref, split_title(n.head)[0], guessed=True) for n in nodes if not _has_children(n, nodes)]
    if not period and times:
        period = " ".join([_plan_time(times[0].head) or "", *(line.text for line in times[0].lines)]).strip()
    assigned = _found(_share_trailing_fields(_walk(organisation)[0])) if organisation else []
    return Outline(tasks, organisation, preamble, said, guessed, period, assigned)


def _found(nodes: list[_Node]) -> list[RawTask]:
    """The items that are tasks: with fields, or whose lead a sentence or heading names."""
    parents = _parents(nodes)
    headings = {id(n): unit_heading(n.head) for n in nodes if not _has_fields(n)}
    return [_dated(raw, node, parents) for node in nodes for raw in _unit_tasks(node, parents, headings)
            if raw.has_fields]


def _plan_time(head: str) -> str | None:
    """What a "Thời gian thực hiện: ..." heading says (maybe "", the text then follows
    beneath it), or None when the heading is about something else."""
    label, colon, value = head.partition(":")
    key = match_key(label)
    if not _PLAN_TIME.match(key) or len(key.split()) > 6:
        return None
    return value.strip() if colon else ""


def _dated(raw: RawTask, node: _Node, parents: dict[int, _Node]) -> RawTask:
    """A task with no deadline field takes the time its own sentence states ("... hoàn
    thành trong quý III"), else the one of the heading it is under ("1. Nhiệm vụ hoàn
    thành trong năm 2026:" or that heading's deadline field)."""
    if raw.deadline:
        return raw
    said = deadline_in(" ".join([raw.title, *raw.content]))
    if said:
        raw.add(DEADLINE, said)
        raw.deadline_from = "text"
        return raw
    parent = parents.get(id(node)) if raw.ref == node.ref else node
    while parent is not None:
        group = _node_tasks(parent)
        deadline = group[0].deadline if len(group) == 1 else []
        deadline = deadline or [d for d in [deadline_in(parent.head)] if d]
        if deadline:
            raw.deadline = list(deadline)
            raw.deadline_from = "group"
            return raw
        parent = parents.get(id(parent))
    return raw


def _merge_continuations(paragraphs: list[str]) -> list[str]:
    """Join a paragraph a page break (or OCR) split: it goes on in lowercase or digits."""
    merged: list[str] = []
    for text in (squash(p) for p in paragraphs):
        if not text:
            continue
        if merged and _continues(merged[-1], text):
            merged[-1] = f"{merged[-1]} {text}"
        else:
            merged.append(text)
    return merged


def _continues(previous: str, text: str) -> bool:
    starts_low = text[0].islower() or text[0].isdigit()
    return starts_low and previous[-1] not in ".:;!?" and not _mark(text, 0).kind


def _walk(paragraphs: list[str]) -> tuple[list[_Node], list[str], list[str], str]:
    nodes: list[_Node] = []
    organisation: list[str] = []
    preamble: list[str] = []
    period: list[str] = []
    section, numbered, current, last_top = "tasks", None, None, 0
    for i, text in enumerate(paragraphs):
        if _is_end(text) or _closes_body(text):
            # A decision "ban hành Kế hoạch" ends with its signature; the plan follows.
            annexed = _annexed_plan(paragraphs, i)
            if annexed is not None:
                return _walk(paragraphs[annexed:])
        if _is_end(text):
            break
        if _closes_body(text) and i + 1 < len(paragraphs):  # read the closing paragraph, then stop
            return _walk(paragraphs[: i + 1])
        mark = _mark(text, last_top + 1)
        if not mark.kind and numbered is not None and current is not numbered:
            mark = _misread_letter(text, current.ref.rsplit(".", 1)[-1]) or mark
        if mark.kind == "roman":
            section, current, numbered, last_top = _section_kind(mark.text), None, None, 0
            if _plan_time(mark.text) is not None:
                section = "period"
                period.append(_plan_time(mark.text) or "")
        elif section == "period":
            period.append(text)
        elif section == "organisation":
            organisation.append(text)
        elif section == "skip":
            continue
        elif mark.kind == "number":
            numbered = current = _Node(mark.label, mark.text)
            nodes.append(current)
            last_top = int(mark.label.split(".")[0]) if "." not in mark.label else last_top
        elif mark.kind == "letter" and numbered and not _is_field_letter(paragraphs, i, mark):
            current = _Node(f"{numbered.ref}.{mark.label}", mark.text)
            nodes.append(current)
        elif current:
            current.lines.append(_Line(mark.text if mark.kind else text, mark.bullet))
        else:
            preamble.append(text)
    return nodes, organisation, preamble, " ".join(period).strip()


def _mark(text: str, next_number: int) -> _Mark:
    match = _ROMAN.match(text)
    if match and (_mostly_upper(text[match.end():]) or _names_a_section(text[match.end():])):
        return _Mark("roman", match.group(1), text[match.end():])
    # OCR misreads a section's numeral ("III." as "HT." or "1."): its words in capitals say it.
    match = _ANY_NUMERAL.match(text)
    if match and _mostly_upper(text[match.end():]) and _names_a_section(text[match.end():]):
        return _Mark("roman", match.group(1), text[match.end():])
    match = _NUMBER.match(text)
    if match:
        return _Mark("number", match.group(1) or match.group(2), text[match.end():])
    match = _BARE_NUMBER.match(text)
    if match and int(match.group(1)) == next_number:
        return _Mark("number", match.group(1), text[match.end():])
    match = _LETTER.match(text)
    if match:
        letter = match.group(1).replace("¢", "c").lower()  # OCR reads "c)" as "¢)"
        return _Mark("letter", letter, text[match.end():])
    match = _BULLET.match(text)
    if match:
        bullet = "+" if "+" in match.group(1) else "-"
        return _Mark("bullet", "", text[match.end():], bullet)
    return _Mark("", "", text)


def _misread_letter(text: str, previous: str) -> _Mark | None:
    """ "‡$) Tham mưu ..." after "b) ...": OCR's reading of "c)", the next letter."""
    match = _JUNK_LETTER.match(text)
    if not match or len(previous) != 1 or not previous.isalpha() or previous >= "z":
        return None
    return _Mark("letter", chr(ord(previous) + 1), text[match.end():])


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _names_a_section(title: str) -> bool:
    """ "II. Nhiệm vụ và giải pháp": a section heading not in capitals opens with its words."""
    head = " ".join(match_key(title).split()[:4])
    return any(fuzz.partial_ratio(words, head) >= 85 for words in _SECTION_WORDS)


def _section_kind(title: str) -> str:
    key = match_key(title)
    if _contains(key, _ORGANISATION):
        return "organisation"
    return "skip" if any(_contains(key, words) for words in _SKIPPED_SECTIONS) else "tasks"


def _contains(key: str, phrase: str) -> bool:
    return fuzz.partial_ratio(phrase, key) >= 85


def _annexed_plan(paragraphs: list[str], i: int) -> int | None:
    """Where the plan a decision issues begins, after its end: a "KẾ HOẠCH" heading."""
    return next((j for j in range(i + 1, len(paragraphs)) if match_key(paragraphs[j]) == _PLAN_HEADING), None)


def _is_end(text: str) -> bool:
    """"Nơi nhận" (the distribution list) ends the body, and so does "Trên đây là Kế
    hoạch ..." (its closing words)."""
    key = match_key(text)
    return fuzz.ratio(key[: len(_END_OF_BODY)], _END_OF_BODY) >= 80 or key.startswith(_CLOSING_WORDS)


def _closes_body(text: str) -> bool:
    """A paragraph ending in "./." is the body's last (it is still read)."""
    return text.rstrip().endswith("./.")


def _is_field_letter(paragraphs: list[str], i: int, mark: _Mark) -> bool:
    """"b) Đơn vị thực hiện:" is a field; "b) Nội dung: Tập trung ..." is a sub-item
    unless its lettered siblings are fields ("a) Nội dung:", "b) Đơn vị thực hiện:")."""
    label = split_label(mark.text)
    if label is None:
        return False
    if label.role != CONTENT:
        return True
    sibling = _next_letter(paragraphs, i)
    sibling_label = split_label(sibling) if sibling else None
    return bool(sibling_label and sibling_label.role != CONTENT)


def _next_letter(paragraphs: list[str], i: int) -> str | None:
    for text in paragraphs[i + 1:]:
        mark = _mark(text, 0)
        if mark.kind in ("number", "roman"):
            return None
        if mark.kind == "letter":
            return mark.text
    return None


def _parents(nodes: list[_Node]) -> dict[int, _Node]:
    """Each sub-item's item: the latest node before it with its parent's ref (refs
    repeat from one section to the next)."""
    latest: dict[str, _Node] = {}
    parents: dict[int, _Node] = {}
    for node in nodes:
        parent = latest.get(_parent_ref(node.ref))
        if parent is not None:
            parents[id(node)] = parent
        latest[node.ref] = node
    return parents


def _unit_tasks(node: _Node, parents: dict[int, _Node], headings: dict[int, str]) -> list[RawTask]:
    """A node's tasks, reading sentences when it has no fields: "Giao Sở X chủ trì, phối
    hợp với Y ..."; under a unit heading ("2. Sở Tài chính:"), each sub-item or bullet
    is a task that unit leads."""
    unit = headings.get(id(node), "")
    if unit and any(parent is node for parent in parents.values()):
        return []  # its sub-items are the tasks
    if unit and node.lines:
        return [_sentence_task(RawTask(f"{node.ref}.{n}", split_title(line.text)[0], [line.text]), unit)
                for n, line in enumerate(node.lines, 1)]
    parent = parents.get(id(node))
    heading_unit = headings.get(id(parent), "") if parent is not None else ""
    return [_sentence_task(raw, heading_unit) for raw in _node_tasks(node)]


def _sentence_task(raw: RawTask, heading_unit: str) -> RawTask:
    if raw.has_fields:
        return raw
    text = " ".join([raw.title, *raw.content])
    said = read_assignment(text)
    lead = said.lead or heading_unit
    if lead:
        raw.from_sentence = raw.guessed = True
        raw.add(LEAD, lead)
        if said.coordinators:
            raw.add(COORDINATORS, said.coordinators)
        deadline = said.deadline or deadline_in(text)
        if deadline:
            raw.add(DEADLINE, deadline)
            raw.deadline_from = "text"
    return raw


def _node_tasks(node: _Node) -> list[RawTask]:
    described = strip_content_label(node.head)
    title, rest = split_title(described or node.head, descriptive=described is not None)
    base = RawTask(node.ref, title, [rest] if rest else [])
    segments = _segments(base, node.lines)
    parts = segments[1:]
    if sum(p.has_fields for p in parts) >= 2:
        return [_inherit(part, base, f"{node.ref}.{n}") for n, part in enumerate(parts, 1)]
    for part in parts:
        _merge_into(base, part)
    return [base]


def _segments(base: RawTask, lines: list[_Line]) -> list[RawTask]:
    """Fields of an item; a bullet that is no field value starts a candidate sub-task."""
    segments = [base]
    role, explicit, open_value, label_bullet = None, True, False, ""
    for line in (part for whole in lines for part in _split_labels(whole)):
        label = split_label(line.text)
        if label:
            if label.value:
                segments[-1].add(label.role, label.value, label.explicit)
            role, explicit, open_value, label_bullet = label.role, label.explicit, not label.value, line.bullet
        elif role and (open_value or (role in _LIST_ROLES and line.bullet != label_bullet)):
            segments[-1].add(role, line.text, explicit)
        # A bullet after a bullet that has no field yet goes on describing the same task.
        elif line.bullet and role in _CLOSING_ROLES and (len(segments) == 1 or segments[-1].has_fields):
            segments.append(RawTask("", split_title(line.text)[0]))
            role = None
        else:
            segments[-1].add(CONTENT, line.text)
    return segments


def _split_labels(line: _Line) -> list[_Line]:
    """ "Cơ quan chủ trì: A; Cơ quan phối hợp: B" holds two fields: one line each."""
    for match in _BETWEEN_FIELDS.finditer(line.text):
        rest = line.text[match.end():]
        if split_label(rest) and split_label(line.text[:match.start()]):
            return [_Line(line.text[:match.start()], line.bullet), *_split_labels(_Line(rest, line.bullet))]
    return [line]


def _inherit(part: RawTask, base: RawTask, ref: str) -> RawTask:
    part.ref = ref
    for name in ("lead", "coordinators", "director", "product", "deadline"):
        if not getattr(part, name):
            setattr(part, name, list(getattr(base, name)))
    return part


def _merge_into(base: RawTask, part: RawTask) -> None:
    base.content.append(part.title)
    for name in ("content", "lead", "coordinators", "director", "product", "deadline"):
        getattr(base, name).extend(getattr(part, name))


def _share_trailing_fields(nodes: list[_Node]) -> list[_Node]:
    """ "3. Theo dõi ...: 3.1. ...; 3.2. ...; 3.3. ... - Đơn vị chủ trì: ...": when only
    the last of several sub-items has fields, they are the item's points, and the fields
    the item's own."""
    kept: list[_Node] = []
    for node in nodes:
        children = [n for n in nodes if _parent_ref(n.ref) == node.ref]
        if len(children) >= 2 and not _has_fields(node) and _has_fields(children[-1]) \
                and not any(_has_fields(child) for child in children[:-1]):
            for child in children:
                node.lines += [_Line(child.head, "-"), *child.lines]
            node.children_merged = True
        kept.append(node)
    merged = {n.ref for n in kept if n.children_merged}
    return [n for n in kept if _parent_ref(n.ref) not in merged]


def _parent_ref(ref: str) -> str:
    return ref.rsplit(".", 1)[0] if "." in ref else ""


def _has_fields(node: _Node) -> bool:
    return any(split_label(part.text) for line in node.lines for part in _split_labels(line))


def _has_children(node: _Node, nodes: list[_Node]) -> bool:
    return any(other.ref.startswith(node.ref + ".") for other in nodes)

