"""An office built by old code (the migrations up to a revision), and the indexes of a
table (`work_items` unless told) as the database holds them and as `orm.py` defines
them: a migrated schema compared with the metadata (migrations 0033 to 0036)."""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

from alembic import command
from sqlalchemy import text
from sqlalchemy.schema import CreateIndex

from adapters.storage import Storage, orm
from tests.support.office import staffed


@contextmanager
def office_at(url: str, revision: str) -> Iterator[tuple[Storage, Any]]:
    """Its storage and a staffed office whose database the migrations built up to
    `revision` only, as old code left it; the engine disposed of at the end."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), revision)
    try:
        yield storage, staffed(storage)
    finally:
        storage.engine.dispose()


def _stored(conn, table: str, name: str | None = None) -> dict[str, str]:
    """The definition of each index of `table` named `ix_…` (or of the one `name`) as the
    database holds it, its name written `IX`."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = :table AND sql IS NOT NULL"), {"table": table})
    else:
        rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table"),
                            {"table": table})
    return {found: " ".join(re.sub(rf"\b{found}\b", "IX", sql).split()) for found, sql in rows
            if (found == name if name else found.startswith("ix_"))}


def defined(storage: Storage, table: str = "work_items") -> dict[str, str]:
    """Each index `orm.py` defines of `table`, as the database holds it once created (made
    under another name, then dropped)."""
    found = {}
    with storage.engine.connect() as conn:
        for index in orm.metadata.tables[table].indexes:
            ddl = str(CreateIndex(index).compile(dialect=conn.dialect))
            # (as the driver takes it: compiled for psycopg, a condition's % is written %%)
            conn.exec_driver_sql(re.sub(rf"\b{index.name}\b", "ix_defined_here", ddl))
            [found[index.name]] = _stored(conn, table, "ix_defined_here").values()
            conn.execute(text("DROP INDEX ix_defined_here"))
            conn.commit()
    return found


def stored(storage: Storage, table: str = "work_items") -> dict[str, str]:
    with storage.engine.connect() as conn:
        return _stored(conn, table)
