"""Which of the two databases (SQLite, PostgreSQL) a session runs on, and what follows
from it that more than one store needs: tested here once, not in each store's own words."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Integer, bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from adapters.storage import cursor_reads


def on_sqlite(session: Session) -> bool:
    """Whether `session` runs on SQLite (else on PostgreSQL)."""
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Make this transaction a writer now, on SQLite: `BEGIN IMMEDIATE` waits (busy
    timeout) until no other connection writes, and from then on nobody else can.

    Python's sqlite3 runs SELECTs outside a transaction until the first write, so what
    was read before may already be stale; callers read again after this. PostgreSQL
    needs nothing here: its row locks (`FOR UPDATE`) do the work.
    """
    if on_sqlite(session):
        cursor_reads.begin_immediate(session)


def insert_on_conflict(sqlite: bool) -> Callable[[Any], Any]:
    """The database's own INSERT, which has ON CONFLICT (SQLAlchemy's common one has not)."""
    return sqlite_insert if sqlite else postgresql_insert


def planned_with(name: str, sqlite: bool, type_: Any = Integer) -> Any:
    """A parameter PostgreSQL plans with (a page's offset, limit or reach, a day): bound on
    SQLite, on PostgreSQL written into the statement at each execution (one prepared
    statement per value). Bound there, the generic plan of a prepared statement guesses a
    share of the rows under the LIMIT or before the day, costs more than a custom plan,
    and PostgreSQL planned the statement again at every execution."""
    return bindparam(name, type_=type_, literal_execute=not sqlite)
