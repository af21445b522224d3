"""The unit directory: who a name in a plan refers to.

Plans name units abbreviated ("VPUB"), renamed across years ("Phòng Hành chính - Tổ
chức" became "Phòng Hành chính - Quản trị") and damaged by OCR ("Trung tdm Phyc vu").
Names are compared on their OCR-repaired folded words, fuzzily; a name the directory
does not know comes back `new`, as written, for a person to confirm. Groups ("Các sở,
ban ngành", "UBND cấp huyện") are kept as groups.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz

from engine.text_folding import match_key, squash

UNIT, GROUP = "unit", "group"

# Leaders who direct tasks ("Chỉ đạo thực hiện"); a title may also be "Trưởng" + a unit.
_LEADER_TITLES = [
    "Chánh Văn phòng", "Phó Chánh Văn phòng", "Lãnh đạo Văn phòng", "Chủ tịch UBND tỉnh",
    "Phó Chủ tịch UBND tỉnh", "Lãnh đạo UBND tỉnh", "Giám đốc Sở", "Phó Giám đốc Sở",
]
_TITLE_PREFIXES = ["Phó Trưởng", "Trưởng", "Phó Giám đốc", "Giám đốc"]

# How a unit's name begins, for names the directory does not know.
_HEADS = {
    "so", "phong", "ban", "trung tam", "uy ban", "ubnd", "hdnd", "van phong", "cuc", "chi cuc",
    "cong an", "thanh tra", "bo", "hoi", "dai", "bao", "kho bac", "bao hiem", "vien", "truong",
    "benh vien", "toa an", "doan", "lien doan", "tinh doan", "tinh uy", "huyen uy", "cac",
    "co quan", "don vi", "ngan hang", "cong ty", "hoi dong", "mat tran", "bo chi huy",
    "cong chuc",  # a commune assigns work to its civil servants by post
    # Outside the administration, plans give tasks to enterprises and their associations.
    "doanh nghiep", "hiep hoi", "tong cong ty", "dien luc", "buu dien", "hai quan",
    # Posts and persons lead too ("Đồng chí Phó Chủ tịch Thường trực", "Cán bộ phụ trách ...").
    "dong chi", "pho", "chu tich", "giam doc", "can bo", "chuyen vien",
}
_TWO_WORD_HEADS = [head for head in _HEADS if " " in head]
# Words that join names in a list ("A và B", "A, B").
_JOINERS = {"va", "voi", "cung"}
# Lowercase words that, after a name, begin what the unit does: the name ends there.
_VERBS = {
    "chu", "phoi", "thuc", "tham", "theo", "huong", "kiem", "cap", "trien", "xay", "tong",
    "bao", "don", "trinh", "co", "dam", "to", "thong", "tiep", "ra", "lam", "de", "nham",
    "la", "chiu", "duoc",  # "Phòng Nội vụ là cơ quan thường trực", "... chịu trách nhiệm"
}
# Nouns of unit names made with one of those words: "thông tin", "viễn thông",
# "truyền thông", "phát triển" ("Trung tâm Công nghệ thông tin và Truyền thông").
_NOUN_PAIRS = {
    ("thong", "tin"), ("vien", "thong"), ("truyen", "thong"), ("phat", "trien"), ("dau", "tu"),
    ("don", "vi"), ("co", "quan"), ("cong", "bao"),  # "đơn vị", "cơ quan", "Công báo"
    ("cap", "tinh"), ("cap", "huyen"), ("cap", "xa"),  # "UBND cấp huyện"
    ("co", "lien"),  # a group's tail: "Các cơ quan, đơn vị có liên quan"
    ("chu", "tich"),  # "Phó chủ tịch"
}
_MISALIGNED_MIN = 92
_TAIL_WORDS = 2
# Heads that, written in lowercase, are other words: "viên chức", "báo", "bộ phận".
_LOWERCASE_WORDS = {"vien", "bao", "bo", "dai", "hoi", "doan", "truong"}
# Councils named together are one office: "Văn phòng HĐND và UBND huyện".
_COUNCILS = {"hdnd", "ubnd", "dbqh"}
# What a unit does, right after its name: the name ends there (OCR-damaged too).
_ROLE_PHRASES = ("chu tri", "phoi hop")
# "cấp tỉnh", "cấp huyện", "cấp xã": every unit of that level.
_LEVELS = {"tinh", "huyen", "xa"}
# What a unit is charged with, right after its name in a field ("Sở X tham mưu").
_ACTIONS = (
    "tham muu", "thuc hien", "bao cao", "tong hop", "theo doi", "trien khai", "xay dung",
    "co trach", "chiu trach", "huong dan", "kiem tra", "to chuc", "don doc", "trinh ubnd",
)
_ONE_WORD_ACTIONS = {"la", "de", "nham"}
_NAME_TAIL = 8  # words at most that go on a new name to a field piece's end
_HARD_GAP = re.compile(r"[;:(]")
_WORD = re.compile(r"¢?[^\W_]+")  # OCR reads "c" as "¢": "¢6" is "có"


@dataclass(frozen=True)
class UnitRef:
    """A unit named in a plan: the directory's name, or the name as written when `new`;
    `written` is the plan's spelling when the directory's unit was found by a fuzzy
    match (lost diacritics, OCR damage, an alias): a person should glance at it."""

    name: str
    kind: str = UNIT
    new: bool = False
    written: str = field(default="", compare=False)


@dataclass(frozen=True)
class _Token:
    key: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Alias:
    entry: dict
    key: str
    size: int
    threshold: float


class UnitDirectory:
    """Known units with their aliases; resolves names as plans write them."""

    def __init__(self, entries: Iterable[dict]) -> None:
        self._aliases = [
            _alias(entry, spelling)
            for entry in entries
            for spelling in [entry["name"], *entry.get("aliases", [])]
            if match_key(spelling)
        ]
        self._titles = [(title, match_key(title)) for title in _LEADER_TITLES]

    def resolve(self, name: str) -> UnitRef:
        """One name: the directory's unit, or the name as written marked `new`."""
        units, rest = self.leading_units(name)
        if len(units) == 1 and not match_key(rest):
            return units[0]
        return UnitRef(_clean(name), _kind_of(name), new=True)

    def leading_units(self, text: str) -> tuple[list[UnitRef], str]:
        """The units a text begins with ("A, B và C phối hợp ...") and the text after them."""
        return self._units_from(text, to_end=False)

    def field_units(self, text: str) -> tuple[list[UnitRef], str]:
        """The units a field value names ("Cơ quan chủ trì: A; B, C"), piece by piece
        between ";"; a new name that words other than an action follow ("Các cơ quan,
        đơn vị trực tiếp sử dụng ngân sách") runs to the piece's end, as written, unless
        those words are many: a sentence, not a name.
        The text after the last piece's units comes back too ("... phối hợp")."""
        units: list[UnitRef] = []
        rest = ""
        for piece in text.split(";"):
            found, rest = self._units_from(piece, to_end=True)
            units += [u for u in found if u not in units]
        return units, rest

    def _units_from(self, text: str, to_end: bool) -> tuple[list[UnitRef], str]:
        tokens = _tokens(text)
        units: list[UnitRef] = []
        i = start = 0
        while i < len(tokens):
            if tokens[i].key in _JOINERS and units:
                i += 1
                continue
            found = _longer_group(self._known_at(tokens, text, i), _new_at(tokens, text, i))
            if not found:
                break
            start, (unit, i) = i, found
            if unit not in units:
                units.append(unit)
        if to_end and units and units[-1].new and 0 < len(tokens) - i <= _NAME_TAIL and not _acts(tokens, i):
            whole = text[tokens[start].start:tokens[-1].end]
            units[-1] = UnitRef(_clean(whole), _kind_of(whole), new=True)
            i = len(tokens)
        rest = text[tokens[i].start:] if i < len(tokens) else ""
        return units, rest

    def first_unit(self, text: str) -> UnitRef | None:
        """The first known unit named anywhere in a sentence."""
        tokens = _tokens(text)
        found = (self._known_at(tokens, text, i) for i in range(len(tokens)))
        return next((hit[0] for hit in found if hit), None)

    def director(self, text: str) -> str:
        """A directing leader's title, spelled properly when known ("Chánh Văn phòng")."""
        parts = [p for p in re.split(r"\s+[-–]\s+", _clean(text)) if match_key(p)]
        return " - ".join(self._title(part) for part in parts)

    def _title(self, part: str) -> str:
        key = match_key(part)
        best = max(self._titles, key=lambda t: fuzz.ratio(key, t[1]))
        if fuzz.ratio(key, best[1]) >= 85:
            return best[0]
        for prefix in _TITLE_PREFIXES:
            prefix_key = match_key(prefix)
            words = len(prefix_key.split())
            if fuzz.ratio(" ".join(key.split()[:words]), prefix_key) >= 80:
                unit = self.resolve(" ".join(part.split()[words:]))
                return f"{prefix} {unit.name}" if not unit.new else part
        return part

    def _known_at(self, tokens: list[_Token], text: str, i: int) -> tuple[UnitRef, int] | None:
        best: tuple[float, int, dict] | None = None
        for alias in self._aliases:
            if fuzz.ratio(tokens[i].key, alias.key.split()[0]) < 60:
                continue
            for size in (alias.size - 1, alias.size, alias.size + 1):
                end = i + size
                if size < 1 or end > len(tokens) or _crosses_hard_gap(tokens, text, i, end):
                    continue
                score = _window_score(tokens[i:end], alias)
                if score >= alias.threshold and (best is None or (score, size) > best[:2]):
                    best = (score, size, alias.entry)
        if best is None:
            return None
        score, size, entry = best
        written = text[tokens[i].start:tokens[i + size - 1].end]
        # Exact: a spelling the directory holds, diacritics and all; anything else (folded,
        # OCR-damaged, fuzzy) shows the person how the plan wrote it.
        spellings = {squash(name).lower() for name in (entry["name"], *entry.get("aliases", []))}
        exact = squash(written).lower() in spellings
        return UnitRef(entry["name"], entry.get("kind", UNIT), written="" if exact else _clean(written)), i + size


def _longer_group(known: tuple[UnitRef, int] | None,
                  written: tuple[UnitRef, int] | None) -> tuple[UnitRef, int] | None:
    """A known group that the plan's words go on from ("Các sở, ngành, đơn vị" after the
    known "Các sở, ngành") is another group: the name as written."""
    if known and written and known[0].kind == GROUP and written[1] > known[1]:
        return written
    return known or written


def _acts(tokens: list[_Token], i: int) -> bool:
    """Whether the words from `i` say what a unit does ("chủ trì", "tham mưu", "là"),
    rather than going on with its name."""
    two = " ".join(t.key for t in tokens[i:i + 2])
    return _is_role_phrase(tokens, i) or any(fuzz.ratio(two, phrase) >= 80 for phrase in _ACTIONS) \
        or tokens[i].key in _ONE_WORD_ACTIONS


def _window_score(window: list[_Token], alias: _Alias) -> float:
    """How well some words spell an alias. OCR damages letters, not whole words: word
    for word, each must still look like the alias's ("xã" is no "tỉnh"); a window of
    another length (a word split or joined by OCR) must match closely overall."""
    words = [t.key for t in window]
    score = fuzz.ratio(" ".join(words), alias.key)
    if len(words) != alias.size:
        return score if score >= _MISALIGNED_MIN else 0
    aligned = all(fuzz.ratio(a, b) >= 50 for a, b in zip(words, alias.key.split()))
    return score if aligned else 0


def _alias(entry: dict, spelling: str) -> _Alias:
    key = match_key(spelling)
    # Short spellings (abbreviations) must match exactly; long ones tolerate OCR damage.
    threshold = 100 if len(key) <= 6 else 90 if len(key) < 15 else 84
    return _Alias(entry, key, len(key.split()), threshold)


def _tokens(text: str) -> list[_Token]:
    found = []
    for m in _WORD.finditer(text):
        key = match_key(m.group(0))
        if key:
            found.append(_Token(key, m.group(0), m.start(), m.end()))
    return found


def _crosses_hard_gap(tokens: list[_Token], text: str, start: int, end: int) -> bool:
    return any(_HARD_GAP.search(text[a.end:b.start]) for a, b in zip(tokens[start:end], tokens[start + 1:end]))


def _new_at(tokens: list[_Token], text: str, i: int) -> tuple[UnitRef, int] | None:
    """A unit the directory does not know: a head word ("Sở", "Phòng", ...) and its name."""
    group = _is_plural(tokens[i].key)
    if not (group or _is_head(tokens, i)) or not (tokens[i].text[0].isupper() or group):
        return None
    end = i + 1
    while end < len(tokens) and (group and end == i + 1 or _continues_name(tokens, text, end, group)):
        end += 1
    name = text[tokens[i].start:tokens[end - 1].end]
    return UnitRef(_clean(name), _kind_of(name), new=True), end


def _continues_name(tokens: list[_Token], text: str, j: int, group: bool) -> bool:
    gap, token = text[tokens[j - 1].end:tokens[j].start], tokens[j]
    if j >= 2 and (tokens[j - 2].key, tokens[j - 1].key) == ("lien", "quan"):
        return False  # "các cơ quan liên quan" ends there
    if _HARD_GAP.search(gap) or "." in gap:
        return False
    if _lowercase(token) and (token.key in _VERBS or _is_role_phrase(tokens, j)) and not _in_noun(tokens, j):
        return False
    if "," in gap or token.key == "va":
        if token.key == "va":
            return j + 1 < len(tokens) and _joins_name(tokens[j - 1], tokens[j + 1], tokens, j + 1)
        # "Các sở, ban ngành" goes on in lowercase; "Sở Văn hóa, Thể thao" in capitals.
        return (group and token.text.islower()) or (token.text[0].isupper() and not _is_head(tokens, j)) \
            or _lowercase_tail(tokens, text, j)
    return True


def _lowercase_tail(tokens: list[_Token], text: str, j: int) -> bool:
    """ "Phòng Công chức, viên chức": a short lowercase rest after a comma, that ends the
    list item (at its end, a separator or a role), is the name's own tail."""
    end = j
    while end < len(tokens) and end - j <= _TAIL_WORDS:
        token = tokens[end]
        if end > j and re.search(r"[,;:(.]", text[tokens[end - 1].end:token.start]):
            break
        if _is_role_phrase(tokens, end):
            break
        head = _is_head(tokens, end) and token.key not in _LOWERCASE_WORDS
        if not token.text.islower() or token.key in _VERBS or token.key in _JOINERS or head:
            return False
        end += 1
    return j < end and end - j <= _TAIL_WORDS


def _lowercase(token: _Token) -> bool:
    """No capital letter: "có" and its OCR reading "¢6" alike."""
    return not any(c.isupper() for c in token.text)


def _in_noun(tokens: list[_Token], j: int) -> bool:
    before = (tokens[j - 1].key, tokens[j].key)
    after = (tokens[j].key, tokens[j + 1].key) if j + 1 < len(tokens) else None
    return before in _NOUN_PAIRS or after in _NOUN_PAIRS


def _joins_name(before: _Token, after: _Token, tokens: list[_Token], j: int) -> bool:
    """Whether "và" is inside a name ("Sở Khoa học và Công nghệ", "HĐND và UBND")."""
    if before.key in _COUNCILS and after.key in _COUNCILS:
        return True
    return after.text[0].isupper() and not _is_head(tokens, j)


def _is_role_phrase(tokens: list[_Token], j: int) -> bool:
    two = " ".join(t.key for t in tokens[j:j + 2])
    return any(fuzz.ratio(two, phrase) >= 75 for phrase in _ROLE_PHRASES)


def _is_head(tokens: list[_Token], i: int) -> bool:
    one = tokens[i].key
    two = f"{one} {tokens[i + 1].key}" if i + 1 < len(tokens) else one
    # Two-word heads survive OCR damage ("Cong chirc"); one-word heads are too short to.
    return one in _HEADS or any(fuzz.ratio(two, head) >= 80 for head in _TWO_WORD_HEADS)


def _is_plural(key: str) -> bool:
    """ "các", as written or as OCR reads it ("céc", "coc"), never "Cục"."""
    return re.fullmatch(r"c[aeo]c", key) is not None


def _kind_of(name: str) -> str:
    """A group names many units: "Các sở, ban ngành", "UBND cấp xã", "UBND các huyện"."""
    words = match_key(name).split()
    plural = any(_is_plural(w) for w in words) or any(a == "cap" and b in _LEVELS for a, b in zip(words, words[1:]))
    return GROUP if plural or words[:3] == ["so", "ban", "nganh"] else UNIT


def _clean(name: str) -> str:
    return squash(name).strip(" .,;:|-–+*")
