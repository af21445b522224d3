"""How long a text the office stores may be: the one home of the limits that the step
forms, the import's draft, a process version's note, an extension request and the
office calendar check before storing, each refusing with the field's name (never
cutting a text without a word).

Two kinds, apart because their reasons are:
- a text (a step's report, a task's title or content, a note, a reason): `TEXT`,
  10,000 characters. Its column is unbounded; the limit is the pages': it goes into the
  workflow's state and every page that shows the task, where a long report fits and a
  pasted megabyte does not. The longest in the sample plans is 1,444 characters.
- a short text kept in a bounded column (VARCHAR): a name (`NAME`: a unit's, a day
  off's, a task's directing leader, a plan's file), a plan's number and symbol
  (`PLAN_NUMBER`), a task's number (`TASK_REF`), a process's id, which its versions are
  kept under (`PROCESS_KEY`), an element's id and a step's name, which the step's rows keep
  (`ELEMENT_ID`, `STEP_NAME`); the last three are checked with the diagram's other
  problems (`engine/process/checks.py`). The limit is the column's
  (`adapters/storage/orm.py`): past it PostgreSQL refuses the row, a 500 where SQLite
  stored it whole.

Not here, for they limit what a request may carry, not what is stored:
`web/limits.py` (any form field before a view reads it, a JSON body's bytes and depth)
and the login's `MAX_USERNAME`/`MAX_PASSWORD` (`engine/access/accounts.py`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.errors import N_, InvalidInput
from engine.incoming_text import cleaned


@dataclass(frozen=True)
class Limit:
    length: int
    message: str  # the catalogue's, naming the length


TEXT = Limit(10_000, N_("This text is too long: write at most 10,000 characters."))
NAME = Limit(255, N_("Keep the name under 255 characters."))
PLAN_NUMBER = Limit(80, N_("Keep the number and symbol under 80 characters."))
TASK_REF = Limit(40, N_("Keep the task's number under 40 characters."))
PROCESS_KEY = Limit(80, N_("Keep the process id under 80 characters."))
ELEMENT_ID = Limit(120, N_("Keep the element's id under 120 characters."))
STEP_NAME = Limit(255, N_("Keep the step's name under 255 characters."))


def limited_text(value: Any, name: str, limit: Limit = TEXT) -> str:
    """`value` as the text to store (`stored_text`), or `InvalidInput` on field `name`
    when it is past `limit`."""
    text = stored_text(value)
    errors = past_limits([(name, text, limit)])
    if errors:
        raise InvalidInput(errors)
    return text


def stored_text(value: Any) -> str:
    """`value` as the text to store: cleaned as text coming in is (`engine/incoming_text.py`)
    and stripped. For a form that gathers every field's error before refusing, with
    `past_limits`; otherwise `limited_text` does both."""
    return cleaned(str(value or "")).strip()


def past_limits(named: Iterable[tuple[str, Any, Limit]]) -> dict[str, str]:
    """The message of each (field, value, limit) whose value, as given, is past its limit."""
    return {name: limit.message for name, value, limit in named if len(str(value or "")) > limit.length}
