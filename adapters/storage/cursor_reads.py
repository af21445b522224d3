"""Reads run on the DB-API cursor of the unit of work's connection, from statements
compiled once per statement and dialect, their rows as plain tuples; and writes
(`write`: an UPDATE or INSERT of one row or many) the same way.

Around each statement, `Session.execute` computes the statement's cache key (a walk of
its whole tree), builds an execution context and a result, and makes each row an
object: 0.02-0.08 ms a statement on SQLite, 0.06-0.15 ms on PostgreSQL (with psycopg's
result handling), for the dashboard's, plan page's, unit page's and search's statements.
Here a statement is compiled on its first run with the dialect, and each run only binds
its values (through the dialect's own bind and result processors, so values come back
as the session gives them: dates as `date` on SQLite too), sends the SQL on the same
connection, in the same transaction, and reads the rows.

Only for statements built once and kept (per shape, `functools.cache`): the compiled
form is found by the statement's identity, and compiling a statement built for one read
would cost more than the session's execution.

`before_cursor_execute` still fires for every statement sent: the unit of work's
tracking of transactions that only read listens to it, and so do the tests that count
statements and the benchmark that replays them.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


class _Compiled:
    """A statement compiled for one dialect: its SQL and what a run binds and reads."""

    __slots__ = ("statement", "compiled", "sql", "positional", "binds", "keys", "results", "expanded", "lists",
                 "written", "forms", "defaults", "raw")

    def __init__(self, statement: Any, dialect: Dialect, column_keys: tuple[str, ...] | None = None) -> None:
        self.statement = statement  # held: the cache is keyed by its id
        # (an INSERT's columns are those its rows give, as the session compiles it)
        self.compiled = compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.positional = compiled.positional
        # A write's columns are those it returns.
        selected = statement.selected_columns if column_keys is None else statement.exported_columns
        self.keys = tuple(selected.keys())
        # The columns whose values the dialect converts (on SQLite dates, times, JSON), by index.
        results = ((n, column.type.dialect_impl(dialect).result_processor(dialect, None))
                   for n, column in enumerate(selected))
        self.results = tuple((n, process) for n, process in results if process is not None)
        # An IN of a list, or a value written into the SQL at each run (`literal_execute`):
        # the SQL is only known with the values, which SQLAlchemy renders (`expanded`).
        self.expanded = bool(compiled.post_compile_params or compiled.literal_execute_params)
        self.lists = tuple(compiled.bind_names[p] for p in compiled.post_compile_params if p.expanding)
        self.written = tuple(compiled.bind_names[p] for p in compiled.literal_execute_params)
        self.forms: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # A write's columns not given whose default the session would compute at each run.
        self.defaults = bool(getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None))
        self.sql = compiled.string
        # By name: those the SQL names. (`binds` also holds each anonymous parameter under its
        # key: sent too, they counted toward psycopg's 50 parameters of a statement whose
        # conversion it keeps, 39 for the dashboard's counts, which names 21.)
        rendered = set(compiled.bind_names.values())
        names = compiled.positiontup if self.positional else [name for name in compiled.binds if name in rendered]
        # Per parameter sent: its name, its value when a run does not give one, its processor.
        self.binds = tuple((name, compiled.binds[name].effective_value,
                            _bind_processor(compiled.binds[name].type, dialect)) for name in names)
        # A write's SQL with PostgreSQL's placeholders, when psycopg would convert it at every run.
        self.raw = _raw(self.sql, dialect) if column_keys is not None and not self.positional else None


# psycopg's limits of the statements whose conversion (its `%(name)s` placeholders made
# PostgreSQL's `$n`) it keeps: past them, it converts the SQL again at every run.
_PSYCOPG_KEPT_LENGTH, _PSYCOPG_KEPT_PARAMETERS = 4096, 50
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _raw(sql: str, dialect: Dialect) -> tuple[str, tuple[str, ...]] | None:
    """On psycopg, for a statement past the limits of its kept conversions, the SQL with
    PostgreSQL's own placeholders (`$n`, one per name) and the names in their order: sent
    on a raw cursor (`write`), psycopg sends it as it is. A step's one write (its state,
    items, new items, arrivals and audit line: `batched_writes._together`) names 59 values;
    its conversion took about 0.2 ms at every step (0.25 ms for a step making two items)."""
    if dialect.driver != "psycopg" or "%(" not in sql:
        return None
    names: dict[str, int] = {}
    for match in _PLACEHOLDER.finditer(sql):
        if match.group(1) is not None:
            names.setdefault(match.group(1), len(names) + 1)
    if len(sql) <= _PSYCOPG_KEPT_LENGTH and len(names) <= _PSYCOPG_KEPT_PARAMETERS:
        return None
    if re.search(r"%\(\w+\)[^s]", sql):  # a value sent in another format (`%(name)b`): psycopg's own way
        return None
    raw = _PLACEHOLDER.sub(lambda match: "%" if match.group(1) is None else f"${names[match.group(1)]}", sql)
    return raw, tuple(names)


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    """The dialect's processor of a value bound as `type_`; a date's remembered: a read
    binds the same few days (today, the week's bounds) again and again, up to fifteen
    times in one statement (the unit page's counts), and SQLite's is a string format of
    the date, 2.1 us a value against 0.14 remembered."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is not None and isinstance(type_, Date):
        return functools.lru_cache(maxsize=64)(process)
    return process


_compiled: dict[tuple[int, str, tuple[str, ...] | None], _Compiled] = {}
_MOST = 2048  # statements are built once per shape; more than this means shapes that do not repeat


def _compiled_for(statement: Any, dialect: Dialect, column_keys: tuple[str, ...] | None = None) -> _Compiled:
    key = (id(statement), dialect.name, column_keys)
    found = _compiled.get(key)
    if found is None or found.statement is not statement:
        if len(_compiled) >= _MOST:
            _compiled.clear()
        found = _compiled[key] = _Compiled(statement, dialect, column_keys)
    return found


def rows(session: Session, statement: Any, values: dict[str, Any] | None = None
         ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The column names and the rows of `statement` (a SELECT built once and kept, its
    parameters bound by name from `values`), run in `session`'s transaction."""
    connection = _connection(session)
    compiled = _compiled_for(statement, connection.dialect)
    values = values or {}
    if compiled.expanded:
        sql, parameters = _expanded(compiled, values)
    else:
        # In one pass, with no call for a value without a processor (most are ids): bound
        # through a helper, then gathered again, nine ids took 8.4 us, now 3.7.
        sql, binds = compiled.sql, compiled.binds
        if compiled.positional:
            parameters = tuple([values.get(name, default) if processor is None
                                else processor(values.get(name, default)) for name, default, processor in binds])
        else:
            parameters = {name: values.get(name, default) if processor is None
                          else processor(values.get(name, default)) for name, default, processor in binds}
    _, found = _run(connection, sql, parameters)
    return compiled.keys, _converted(compiled, found)


# `Session.info` key: the connection of the session's transaction, as `_connection` last found it.
_KEPT = "cursor_reads.connection"


def _connection(session: Session) -> Connection:
    """`session.connection()`, found once per transaction: asked at each statement, the
    session's checks of its transaction's state (each a decorated call) cost a tenth of
    an inbox read on SQLite. Kept with the transaction it is of: once that one ends (a
    commit, a rollback, the session closed) or can no longer be used, asked again. Or the
    connection `hold` gave, while the session has begun no transaction."""
    transaction = session.get_transaction()
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] is transaction and (transaction is None or transaction.is_active):
        return kept[1]
    connection = session.connection()
    session.info[_KEPT] = (session.get_transaction(), connection)
    return connection


def hold(session: Session, connection: Connection) -> None:
    """Run the reads of `session` (bound to `connection`) on `connection` itself, with no
    transaction of the session's, until the session begins one (a read through it)."""
    session.info[_KEPT] = (None, connection)


def _converted(compiled: _Compiled, found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`found`'s values as the dialect gives them (its result processors)."""
    if compiled.results and found:
        # Column by column (`map` of the dialect's processors, most of them C functions):
        # a Python loop over each row's values took a third of the dashboard's row handling.
        # A column of NULLs alone is left as it is: in a UNION ALL of parts (`reads.statement_shapes.together`),
        # another part's columns are NULL in every row of this one, and SQLite's JSON
        # processor is two Python calls a value, NULL or not.
        columns: list[Any] = list(zip(*found))
        for n, process in compiled.results:
            if columns[n].count(None) != len(found):
                columns[n] = map(process, columns[n])
        found = list(zip(*columns))
    return found


def write(session: Session, statement: Any, rows: list[dict[str, Any]]) -> tuple[int, list[tuple[Any, ...]]]:
    """Run `statement` (an UPDATE or INSERT built once and kept, its parameters bound by
    name) for each of `rows` (dicts of the same keys) in `session`'s transaction: how many
    rows it wrote, and the rows it returned (RETURNING: for many rows only where the
    DB-API gives back rows from a statement run for many, `returns_many`).

    A step's writes are a few statements of a row or two each: around each, the
    session's execution cost about as much as SQLite's own work."""
    connection = _connection(session)
    compiled = _compiled_for(statement, connection.dialect, tuple(rows[0]))
    if compiled.expanded or compiled.defaults or (compiled.keys and len(rows) > 1
                                                  and not returns_many(connection.dialect)):
        raise ValueError("a write with a list, a value written in, a column's default to compute, "
                         "or RETURNING for many rows on SQLite: use the session")
    binds = compiled.binds
    if compiled.raw is not None and len(rows) == 1:
        sql, order = compiled.raw
        row = rows[0]
        values = {name: row.get(name, default) if processor is None else processor(row.get(name, default))
                  for name, default, processor in binds}
        count, found = _run(connection, sql, tuple([values[name] for name in order]), returns=bool(compiled.keys),
                            raw=True)
        return count, _converted(compiled, found)
    # As `rows` binds: in one pass, no call for a value without a processor.
    if compiled.positional:
        sent: list[Any] = [tuple([row.get(name, default) if processor is None else processor(row.get(name, default))
                                  for name, default, processor in binds]) for row in rows]
    else:
        sent = [{name: row.get(name, default) if processor is None else processor(row.get(name, default))
                 for name, default, processor in binds} for row in rows]
    count, found = _run(connection, compiled.sql, sent[0] if len(sent) == 1 else sent, many=len(sent) > 1,
                        returns=bool(compiled.keys))
    return count, _converted(compiled, found)


def begin_immediate(session: Session) -> None:
    """SQLite: `BEGIN IMMEDIATE` on the cursor of `session`'s transaction's connection,
    unless that transaction already began (a write holds the lock). Through SQLAlchemy's
    execution (`exec_driver_sql`) its execution context and result cost several times
    SQLite's own work, in each step and sweep batch."""
    connection = _connection(session)
    if not connection.connection.dbapi_connection.in_transaction:
        _run(connection, "BEGIN IMMEDIATE", (), returns=False)


def returns_many(dialect: Dialect) -> bool:
    """Whether the DB-API gives back the rows of a statement run for many: psycopg does
    (`executemany(..., returning=True)`, one result set per row, all sent in one round
    trip), sqlite3 does not."""
    return dialect.driver == "psycopg"


def insert_arrays(session: Session, table: Any, rows: list[dict[str, Any]], returning: tuple[str, ...] = (),
                  absent: bool = False) -> list[tuple[Any, ...]]:
    """Insert `rows` (dicts of the same keys, `table`'s columns) into `table` on PostgreSQL
    as one statement, each column's values sent as one array (`unnest`), and give the
    `returning` columns of the rows written; with `absent`, those whose `key` is not
    stored yet (nor given twice).

    Run for each row (`write`), an INSERT was a statement a row: each fired the tables'
    row triggers and paid the server's work of a statement. As one, PostgreSQL's triggers
    that count the new rows run once for all of them (migration 0031)."""
    connection = _connection(session)
    sql, processors, results = _arrays_insert(table, tuple(rows[0]), returning, absent, connection.dialect)
    parameters = {f"a{n}": [row[name] for row in rows] if process is None else [process(row[name]) for row in rows]
                  for n, (name, process) in enumerate(processors)}
    _, found = _run(connection, sql, parameters, returns=bool(returning))
    if results and found:
        found = [tuple(value if process is None else process(value) for value, process in zip(row, results))
                 for row in found]
    return found


@functools.cache
def _arrays_insert(table: Any, names: tuple[str, ...], returning: tuple[str, ...], absent: bool, dialect: Dialect
                   ) -> tuple[str, tuple[tuple[str, Processor], ...], tuple[Processor, ...]]:
    """`insert_arrays`'s SQL for these columns, each column's bind processor, and each
    returned column's result processor."""
    quote = dialect.identifier_preparer.quote
    columns = [table.c[name] for name in names]
    arrays = ", ".join(f"%(a{n})b::{_array_type(column, dialect)}[]" for n, column in enumerate(columns))
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
           f"SELECT * FROM unnest({arrays})"
           + (f" ON CONFLICT ({quote('key')}) DO NOTHING" if absent else "")
           + (f" RETURNING {', '.join(quote(name) for name in returning)}" if returning else ""))
    processors = tuple((c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns)
    results = tuple(table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in returning)
    return sql, processors, results if any(results) else ()


def update_arrays(session: Session, table: Any, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> int:
    """Update `columns` of the rows of `table` by id (`_id`; a versioned one only at the
    version read, `_read`, moving it to the next) on PostgreSQL as one statement, each
    column's values sent as one array (`unnest`); how many rows it wrote. Run for each
    row (`write`) it was a statement a row for the server (a sweep batch's instances)."""
    connection = _connection(session)
    sql, processors = _arrays_update(table, columns, "_read" in rows[0], connection.dialect)
    parameters = {f"a{n}": [row[name] for row in rows] if process is None else [process(row[name]) for row in rows]
                  for n, (name, process) in enumerate(processors)}
    return _run(connection, sql, parameters, returns=False)[0]


@functools.cache
def _arrays_update(table: Any, columns: tuple[str, ...], versioned: bool, dialect: Dialect
                   ) -> tuple[str, tuple[tuple[str, Processor], ...]]:
    """`update_arrays`'s SQL, and each array's bind processor."""
    quote = dialect.identifier_preparer.quote
    keys = ("_id", "_read") if versioned else ("_id",)
    types = [_array_type(table.c.id, dialect)] * len(keys) + [_array_type(table.c[name], dialect) for name in columns]
    names = [*keys, *(quote(name) for name in columns)]
    sets = [f"{quote(name)} = v.{quote(name)}" for name in columns] + (["version = t.version + 1"] if versioned else [])
    sql = (f"UPDATE {quote(table.name)} AS t SET {', '.join(sets)} "
           f"FROM unnest({', '.join(f'%(a{n})b::{type_}[]' for n, type_ in enumerate(types))}) "
           f"AS v ({', '.join(names)}) WHERE t.id = v._id" + (" AND t.version = v._read" if versioned else ""))
    processors = tuple((name, None) for name in keys) + tuple(
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns)
    return sql, processors


def _array_type(column: Any, dialect: Dialect) -> str:
    """The type of an array of `column`'s values, without a length: cast to VARCHAR(200)
    a longer value would be cut short, where the write's own cast of it fails as it should."""
    return column.type.compile(dialect).split("(")[0]


def dicts(session: Session, statement: Any, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of `statement` (as `rows`) as dicts by column name."""
    keys, found = rows(session, statement, values)
    return [dict(zip(keys, row)) for row in found]


def _expanded(compiled: _Compiled, values: dict[str, Any]) -> tuple[str, Any]:
    """The SQL and parameters of a statement whose SQL depends on its values: rendered by
    SQLAlchemy once per number of items of each list and value written in (a page's
    bounds), and kept; a run then only places its values (rendering each time took a
    tenth of the page details' statement on SQLite)."""
    key = (tuple(len(values[name]) for name in compiled.lists),
           tuple(values.get(name) for name in compiled.written))
    form = compiled.forms.get(key)
    if form is None:
        if len(compiled.forms) >= _MOST:
            compiled.forms.clear()
        state = compiled.compiled.construct_expanded_state(values)
        names = tuple(state.positiontup or state.parameters)
        # Each parameter's processor, by position; none at all for most (a page's ids are
        # integers): then a run only picks its values.
        processors = tuple(state.processors.get(name) for name in names)
        # (its parameters as rendered: the values of those a run does not give)
        form = compiled.forms[key] = (state.statement, names, dict(state.parameter_expansion),
                                      processors if any(processors) else None, dict(state.parameters))
    sql, names, expansion, processors, rendered = form
    given = {**rendered, **values}
    for name, expanded in expansion.items():
        given.update(zip(expanded, values[name]))
    sent = tuple(map(given.get, names)) if processors is None else tuple(
        value if process is None else process(value) for value, process in zip(map(given.get, names), processors))
    return sql, sent if compiled.positional else dict(zip(names, sent))


def _run(connection: Connection, sql: str, parameters: Any, many: bool = False, returns: bool = True,
         raw: bool = False) -> tuple[int, list[tuple[Any, ...]]]:
    """How many rows `sql` wrote (run once, or for each of `parameters` if `many`), and
    the rows it gave (`returns`). `raw`: on psycopg, SQL of PostgreSQL's placeholders
    (`_raw`), sent as it is."""
    dbapi_connection, dialect = connection.connection.dbapi_connection, connection.dialect
    if raw:
        from psycopg import RawCursor  # (only PostgreSQL's statements are raw)

        cursor = RawCursor(dbapi_connection)
    else:
        cursor = dbapi_connection.cursor()
    try:
        connection.dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, many)
        if many and returns:  # (`returns_many`) each row's result set, read in turn
            cursor.executemany(sql, parameters, returning=True)
            found = cursor.fetchall()
            while cursor.nextset():
                found += cursor.fetchall()
            return len(found), found
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        found = cursor.fetchall() if returns else []
        return cursor.rowcount, found  # (SQLite counts a RETURNING statement's rows as they are read)
    except dialect.loaded_dbapi.Error as error:
        # As the session raises it: SQLAlchemy's exception, and a lost connection dropped
        # from the pool rather than handed to the next request.
        lost = dialect.is_disconnect(error, dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost) from error
    finally:
        cursor.close()
