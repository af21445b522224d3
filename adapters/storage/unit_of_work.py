"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from adapters.storage import batched_writes, cursor_reads, repository
from adapters.storage.arrival_store import ArrivalRepository
from adapters.storage.deadline_store import ExtensionRepository, NoticeRepository
from adapters.storage.import_drafts import ImportDraftRepository
from adapters.storage.jobs_store import JobRepository
from adapters.storage.login_attempts import LoginAttemptRepository
from adapters.storage.incident_store import IncidentRepository
from adapters.storage.progress_queries import ProgressQueries
from engine.deadlines.working_days import CalendarCache
from engine.errors import AlreadyDone, N_
from engine.unit_of_work import AbstractUnitOfWork, ReadOnlyWork
from engine.workflow import SpecCache


# `Connection.info` key: whether this transaction sent a statement other than a SELECT.
_WROTE = "wrote"


def track_reads(engine: Engine) -> None:
    """Mark each transaction on `engine` that sends anything but a SELECT, so that a unit
    of work that only read ends with a commit (`SqlAlchemyUnitOfWork.__exit__`)."""
    event.listen(engine, "begin", _begun)
    event.listen(engine, "before_cursor_execute", _sending)


def _begun(connection: Connection) -> None:
    connection.info[_WROTE] = False


def _sending(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.startswith("SELECT"):
        connection.info[_WROTE] = True


def refuse_writes(engine: Engine) -> None:
    """Fail every statement sent through `engine` but a SELECT that locks nothing: the
    engine of the units of work entered for reading, whose statements on PostgreSQL each
    commit at once (`AbstractUnitOfWork.reading`)."""
    event.listen(engine, "before_cursor_execute", _refused)


# A row lock (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE), which without a
# transaction would be let go as soon as taken, is the last clause of a SELECT as
# SQLAlchemy writes it: only its end is searched (the whole of a page's statement, 8 kB,
# took 15 us), this many characters (FOR UPDATE OF a table or two, NOWAIT or SKIP LOCKED).
_LOCK_CLAUSE = 120


def _refused(_connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.startswith("SELECT") or " FOR " in statement[-_LOCK_CLAUSE:]:
        raise ReadOnlyWork(f"a unit of work entered for reading was asked to send: {statement[:80]}")


# A unit of work's repositories by attribute: each class, and whether it shares the unit
# of work's `Rows`. Made when first used (`__getattr__`): a read uses two or three, and
# making all eighteen at each `with` was 6% of an inbox read's profile on SQLite.
_REPOSITORIES: dict[str, tuple[type, bool]] = {
    "users": (repository.UserRepository, True),
    "units": (repository.UnitRepository, True),
    "plans": (repository.PlanRepository, True),
    "tasks": (repository.TaskRepository, True),
    "process_versions": (repository.ProcessVersionRepository, True),
    "instances": (repository.InstanceRepository, True),
    "work_items": (repository.WorkItemRepository, True),
    "audit": (repository.AuditRepository, True),
    "attachments": (repository.AttachmentRepository, True),
    "office_days": (repository.OfficeDayRepository, True),
    "notices": (NoticeRepository, False),
    "arrivals": (ArrivalRepository, True),
    "extensions": (ExtensionRepository, False),
    "progress": (ProgressQueries, False),
    "import_drafts": (ImportDraftRepository, False),
    "logins": (LoginAttemptRepository, False),
    "incidents": (IncidentRepository, False),
    "jobs": (JobRepository, False),
}


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """`seen`, when given, is shared by the units of work of one request: what one read of
    the person and of the office days' version, the next ones reuse instead of reading
    again, until one of them commits (the request's own write may have changed them).
    `reading_factory` makes the sessions of a `with` entered through `reading`: bound to an
    engine that refuses writes (`refuse_writes`), on PostgreSQL without transactions."""

    def __init__(self, session_factory: sessionmaker, specs: SpecCache, calendars: CalendarCache,
                 seen: dict[str, Any] | None = None, reads_tracked: bool = False,
                 reading_factory: sessionmaker | None = None) -> None:
        self.session_factory = session_factory
        self.reading_factory = reading_factory or session_factory
        self.reads_tracked = reads_tracked  # the engine marks transactions that wrote: `track_reads`
        self.specs = specs
        self.calendars = calendars
        self.seen = seen
        self.session: Session | None = None

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        if self.read_only:
            # A connection of its own, on which the cursor reads run with no transaction of
            # the session's: its begin and end (the session's transaction, the connection's,
            # a rollback) were a sixth of the monitor's inbox on SQLite. The session is bound
            # to it, so what reads through the session runs on the same connection.
            self.held = self.reading_factory.kw["bind"].connect()
            self.session = self.reading_factory(bind=self.held)
            cursor_reads.hold(self.session, self.held)
        else:
            self.session = self.session_factory()
        s = self.session
        if self.seen:
            s.info.update(self.seen)
        # The rows the write paths read and insert with Core, held by the unit of work
        # itself, outside the session; their changes are written at flush and commit.
        self.rows = batched_writes.Rows(s)
        for name in _REPOSITORIES.keys() & vars(self).keys():  # the last `with`'s, on its session
            delattr(self, name)
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository, made at its first use in this `with` (`_REPOSITORIES`)."""
        made = _REPOSITORIES.get(name)
        if made is None or "rows" not in vars(self):  # not a repository, or outside a `with`
            raise AttributeError(name)
        kind, shares_rows = made
        found = kind(self.session, self.rows) if shares_rows else kind(self.session)
        setattr(self, name, found)
        return found

    def __exit__(self, exc_type: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if self.seen is not None:
            self.seen.update({key: self.session.info[key] for key in repository.SEEN if key in self.session.info})
        if self.read_only:
            # No transaction to end on PostgreSQL, and on SQLite only reads were sent: closing
            # detaches what was read and gives the connection back to the pool.
            self.read_only = False
            try:
                # A session that began no transaction loaded nothing (every read ran on the
                # held connection, `cursor_reads`): it holds nothing to detach or end.
                if self.session.in_transaction() or self.session.new:
                    self.session.close()
            finally:
                self.held.close()
            return
        # Detach what was read first: a rollback would expire it, and services hand
        # such objects to pages after the unit of work has ended.
        self.session.expunge_all()
        if error is None and self.reads_tracked and self._only_read():
            # A transaction that only read ends the same committed or rolled back; but
            # psycopg forgets its prepared statements at every rollback, so that a read run
            # once per unit of work was planned by PostgreSQL every time.
            self.session.commit()
        # Not `rollback()` first: closing gives the connection back to the pool, which
        # rolls back what was not committed, without the session's bookkeeping of a
        # rollback (a tenth of a small read's time on SQLite).
        self.session.close()
        if isinstance(error, StaleDataError):
            # A write that did not lock its instance first, flushed by a query (autoflush):
            # the same conflict as at commit, not a server error.
            raise _already_done() from error

    def _only_read(self) -> bool:
        if not self.session.in_transaction():
            return False
        return self.session.connection().info.get(_WROTE, True) is False

    def reading(self) -> SqlAlchemyUnitOfWork:
        self.read_only = True  # its `with` opens a session of `reading_factory`, until it ends
        return self

    def commit(self) -> None:
        self._refused_if_reading()
        try:
            batched_writes.write_changes(self.session, self.rows)
            self.session.commit()
        except (StaleDataError, IntegrityError) as error:
            # Another request saved the same instance or work item first (two tabs,
            # two people): ours must not overwrite it.
            self.rollback()
            raise _already_done() from error
        self.session.info.clear()  # what this transaction saw (the office days' version)
        if self.seen is not None:
            self.seen.clear()

    def rollback(self) -> None:
        self.session.rollback()
        self.rows.clear()  # what they changed is not written; read again, they are new objects
        self.session.info.clear()

    def flush(self) -> None:
        self._refused_if_reading()
        try:
            batched_writes.write_changes(self.session, self.rows)
            self.session.flush()
        except StaleDataError as error:
            self.session.rollback()
            raise _already_done() from error

    def _refused_if_reading(self) -> None:
        if self.read_only:
            raise ReadOnlyWork("a unit of work entered for reading was asked to write")


def _already_done() -> AlreadyDone:
    return AlreadyDone(N_("This step was already completed or has moved on."))
