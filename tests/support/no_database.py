"""A pytest plugin (`-p tests.support.no_database`) under which SQLAlchemy, Alembic and
the database drivers cannot be imported: tests that pass under it used no database."""
from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec

BLOCKED = ("sqlalchemy", "alembic", "sqlite3", "_sqlite3", "psycopg", "psycopg2")


class _Blocker:
    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} may not be imported here: these tests run without a database")
        return None


already = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
if already:
    raise RuntimeError(f"imported before the blocker: {already}")
sys.meta_path.insert(0, _Blocker())
