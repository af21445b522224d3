"""Field labels of a plan ("Cơ quan chủ trì:", "Thời gian thực hiện:") and their roles.

Labels vary between offices and years and reach us through OCR ("Pon vi phdi hop",
"N6i dung"), so a label is recognised by the words it holds, compared fuzzily on the
OCR-repaired folded text, never by an exact list of spellings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from engine.text_folding import match_key

LEAD, COORDINATORS, DIRECTOR, PRODUCT, DEADLINE, CONTENT, REF = (
    "lead", "coordinators", "director", "product", "deadline", "content", "ref",
)
# The roles a label can give, checked in this order: "Phối hợp thực hiện" coordinates,
# "Thời gian thực hiện" is a deadline, "Đơn vị thực hiện" leads.
_ROLE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (DEADLINE, ("thoi gian", "thoi han", "tien do", "han hoan thanh")),
    (DIRECTOR, ("chi dao",)),
    (COORDINATORS, ("phoi hop",)),
    (PRODUCT, ("san pham", "ket qua dau ra")),
    (CONTENT, ("noi dung", "giai phap", "bien phap", "muc tieu", "nhiem vu", "ten nhiem vu")),
    (LEAD, ("chu tri", "don vi", "co quan")),
]
# A label's first words: what distinguishes "Cơ quan chủ trì: ..." from "Cấp tỉnh: ...".
_LABEL_STARTS = (
    "co quan", "don vi", "thoi gian", "thoi han", "tien do", "chi dao", "phoi hop", "san pham",
    "noi dung", "giai phap", "bien phap", "muc tieu", "chu tri", "ket qua", "han hoan thanh",
)
_MAX_LABEL_WORDS = 8
_TARGETS = re.compile(r"\b(?:chi tieu|don vi tinh)\b")  # exact words: fuzzily, "chỉ tiêu" is "mục tiêu"
_FUZZY = 75


@dataclass(frozen=True)
class Label:
    """A labelled field: its role, whether the label names the role outright, its value."""

    role: str
    explicit: bool
    value: str


@dataclass
class RawTask:
    """A task's fields as the plan writes them, before units and deadlines are read."""

    ref: str
    title: str
    content: list[str] = field(default_factory=list)
    lead: list[tuple[str, bool]] = field(default_factory=list)  # (text, label was explicit)
    coordinators: list[str] = field(default_factory=list)
    director: list[str] = field(default_factory=list)
    product: list[str] = field(default_factory=list)
    deadline: list[str] = field(default_factory=list)
    from_sentence: bool = False  # its lead was read from a sentence or a heading, not a label
    guessed: bool = False  # found from the layout or a sentence, not from labelled fields
    # Where its deadline was read when it has no deadline field of its own: "text" (its
    # own sentence), "group" (the heading it is under), "plan" (the plan's time); "" its field.
    deadline_from: str = ""

    def add(self, role: str, text: str, explicit: bool = True) -> None:
        if role == LEAD:
            self.lead.append((text, explicit))
        else:
            getattr(self, role).append(text)

    @property
    def has_fields(self) -> bool:
        return bool(self.lead or self.coordinators or self.director or self.deadline)


def split_label(text: str) -> Label | None:
    """`text` as "label: value" when its head is a known field label."""
    head, colon, value = text.partition(":")
    if not colon:
        return None
    key = match_key(head)
    if not key or len(key.split()) > _MAX_LABEL_WORDS or not _starts_with_label(key):
        return None
    role = role_of(key)
    return Label(role, _explicit(role, key), value.strip()) if role else None


# "TT", "STT", "Số TT"; OCR reads the middle T of "STT" as another letter ("SIT", "SET").
_REF_HEADING = re.compile(r"(?:so )?s?tt|s[a-z]t")


def role_of(text: str) -> str | None:
    """The role a label or a table column heading names, if any."""
    key = match_key(text)
    if _REF_HEADING.fullmatch(key):
        return REF
    if _holds(key, "chu tri") and _holds(key, "phoi hop"):  # "Cơ quan chủ trì, phối hợp"
        return LEAD
    # "Chỉ tiêu" (an indicator, a target to reach) and "Đơn vị tính" (its measure) head a
    # table of targets, not of tasks; "Chỉ tiêu" is no misspelt "Mục tiêu".
    if _TARGETS.search(key) and not _holds(key, "nhiem vu"):
        return None
    return next((role for role, words in _ROLE_WORDS if any(_holds(key, w) for w in words)), None)


def strip_content_label(text: str) -> str | None:
    """A heading without its leading "Nội dung:" (with or without the colon), or None
    when it has no such label."""
    match = re.match(r"^\s*(\S+\s+\S+)\s*:?\s*", text)
    if match and role_of(match.group(1)) == CONTENT and _starts_with_label(match_key(match.group(1))):
        rest = text[match.end():]
        if rest[:1].isupper() or ":" in match.group(0):
            return rest
    return None


def trailing_role(text: str) -> str | None:
    """The role named right after a list of units: "... chủ trì", "... phối hợp"."""
    words = " ".join(match_key(text).split()[:2])
    for role, phrase in ((LEAD, "chu tri"), (COORDINATORS, "phoi hop")):
        if words and fuzz.ratio(words, phrase) >= _FUZZY:
            return role
    return None


def _starts_with_label(key: str) -> bool:
    head = " ".join(key.split()[:2])
    return any(fuzz.ratio(" ".join(head.split()[: len(s.split())]), s) >= _FUZZY for s in _LABEL_STARTS)


def _holds(key: str, phrase: str) -> bool:
    words, size = key.split(), len(phrase.split())
    return any(
        fuzz.ratio(" ".join(words[i:i + size]), phrase) >= _FUZZY for i in range(len(words) - size + 1)
    )


def explicit(role: str, label: str) -> bool:
    """Whether a label (or column heading) of `role` names the role outright."""
    return _explicit(role, match_key(label))


def _explicit(role: str, key: str) -> bool:
    # "Đơn vị thực hiện" does not say lead or coordinate: a "... phối hợp" after the
    # names then decides; so does "Cơ quan chủ trì, phối hợp", which says both.
    # "Cơ quan chủ trì" says lead, and the label wins.
    return role != LEAD or (_holds(key, "chu tri") and not _holds(key, "phoi hop"))
