"""JUEL (`${…}` / `#{…}`, what Camunda writes) to the Python expression SpiffWorkflow evaluates.

planflow never evaluates JUEL: a diagram holding it is refused, and the message proposes
the same expression in Python so the designer can paste it. Only the common operators
are translated; what is left is still shown for the designer to finish.
"""
from __future__ import annotations

import re

_WRAPPED = re.compile(r"[$#]\{(.*?)\}", re.S)
# Strings first, so that words inside quotes are never translated.
_TOKEN = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(&&|\|\||!=|!|[A-Za-z_][A-Za-z_0-9]*)""")
_WORDS = {
    "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%",
    "null": "None", "true": "True", "false": "False", "empty": "not", "and": "and", "or": "or", "not": "not",
}
_SYMBOLS = {"&&": "and", "||": "or", "!=": "!=", "!": "not"}


def juel_to_python(text: str) -> str | None:
    """The Python form of a JUEL expression, or None when `text` holds no `${…}` / `#{…}`."""
    if not _WRAPPED.search(text):
        return None
    inner = " ".join(match.group(1).strip() for match in _WRAPPED.finditer(text))
    return re.sub(r"\s+", " ", _TOKEN.sub(_translate, inner)).strip()


def _translate(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    word = match.group(2)
    if word in _SYMBOLS:
        return f" {_SYMBOLS[word]} "
    replaced = _WORDS.get(word, word)
    return f" {replaced} " if replaced != word or word in ("and", "or", "not") else word
