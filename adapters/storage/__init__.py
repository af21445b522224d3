"""Storage: the SQLAlchemy engine, the unit of work, and schema migrations."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from adapters.storage import inbox_counts
from adapters.storage.clock_lock import ClockLock, for_database
from adapters.storage.orm import metadata, start_mappers
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork, refuse_writes, track_reads
from engine.deadlines.working_days import CalendarCache
from engine.workflow import SpecCache

MIGRATIONS = Path(__file__).with_name("migrations")

__all__ = ["ClockLock", "SchemaNotReady", "Storage", "SqlAlchemyUnitOfWork", "metadata"]


class SchemaNotReady(Exception):
    """The database is not at the newest migration (new, or older than the code)."""


PAGE_CACHE_KIB = 16 * 1024  # each SQLite connection's page cache (`_sqlite_pragmas`)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the in-process scheduler write while pages read; foreign keys are
    # off by default in SQLite. `synchronous` stays at its default, FULL: WAL with
    # NORMAL skips the fsync of each commit (a step ~0.5 ms faster) but a power cut may
    # then lose the last steps already answered as saved; nothing lost comes first.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # A page cache of 16 MiB where SQLite's default is 2: a search ranks up to 1,000
    # matches by reading their rows (two to a 4 kB page), and with 2 MiB each search read
    # its pages again through the OS. At 20,000 open (CPU, the same reads through both
    # connections alternated, 40 rounds) the bench's searches took 1.1-1.5 ms less (of
    # 7-20; faster in 35-38 of 40), other pages even; at 100,000 open all even (the
    # searches' pages outgrow 64 MiB as well). The cache grows only as it is used.
    cursor.execute(f"PRAGMA cache_size={-PAGE_CACHE_KIB}")
    cursor.close()


class Storage:
    """The database behind planflow: SQLite embedded, PostgreSQL for scale-out."""

    def __init__(self, url: str, echo: bool = False) -> None:
        start_mappers()
        self.url = url
        sqlite_file = url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:")
        # A SQLite connection's page cache is discarded once another connection has written:
        # the pool hands out the connection returned last (often the last writer, its cache
        # kept), not the one idle longest. With two idle connections a step cost ~0.3-0.4 ms
        # of CPU less. (An in-memory database has one connection per thread: no queue.)
        self.engine: Engine = create_engine(url, echo=echo, future=True,
                                            **({"pool_use_lifo": True} if sqlite_file else {}))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            if sqlite_file:
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        postgresql = self.engine.dialect.name == "postgresql"
        # On PostgreSQL a unit of work that only read ends with a commit (`track_reads`).
        self._reads_tracked = postgresql
        if self._reads_tracked:
            track_reads(self.engine)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        # The units of work entered for reading (`AbstractUnitOfWork.reading`). On PostgreSQL
        # without a transaction (psycopg's autocommit: neither BEGIN nor COMMIT is sent), on
        # the same pool through an engine of their own, which refuses writes: each statement
        # would commit at once. On SQLite as any unit of work: the driver begins a transaction
        # only before a write, and `commit` refuses, so nothing they write is kept (an engine
        # of their own cost a tenth of the monitor's inbox in SQLAlchemy's events).
        self.reading_factory: sessionmaker | None = None
        if postgresql:
            reading = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            refuse_writes(reading)
            self.reading_factory = sessionmaker(bind=reading, expire_on_commit=False)
        # Parsed process specs, by version id: ids are only unique within one database.
        self.specs = SpecCache()
        # The calendar built from this database's office days, while they stay unchanged.
        self.calendars = CalendarCache()
        # On SQLite one process at a time runs the timer sweep and the mail outbox.
        self.clock_lock: ClockLock = for_database(url, self.engine.dialect.name)
        self._folded: dict[str, inbox_counts.Marks] = {}  # where this process's folds stand, by table

    def compact_inbox_counts(self) -> int:
        """Fold the inbox's count rows added since the last call (`inbox_counts`)."""
        return inbox_counts.compact(self.engine, self._folded)

    def uow(self, seen: dict[str, Any] | None = None) -> SqlAlchemyUnitOfWork:
        """A unit of work; `seen`: what the units of work of one request share (see there)."""
        return SqlAlchemyUnitOfWork(self.session_factory, self.specs, self.calendars, seen, self._reads_tracked,
                                    self.reading_factory)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        command.upgrade(self.alembic_config(), "head")

    def require_schema(self) -> None:
        """Raise SchemaNotReady unless the database is at the newest migration, so that a
        command on a database nobody upgraded says so instead of failing on a missing
        table. One small query (Alembic's version table)."""
        heads = set(ScriptDirectory.from_config(self.alembic_config()).get_heads())
        with self.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        if current != heads:
            raise SchemaNotReady(f"database at {sorted(current) or 'no version'}, code at {sorted(heads)}")

    def alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = self.engine
        return config
