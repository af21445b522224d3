"""The unit of work's batched writes: how the objects a write path changed or made
become few statements.

The rows a write path reads or inserts with Core are held by the unit of work (`Rows`),
each object with the values its row held, outside the ORM's session. New objects are
inserted in one statement per table and given their ids (`insert_new`); at the next
write and at commit, what changed on the held objects is written one UPDATE per table
and set of columns, an instance only at the version it was read, with the instances'
new states and the rows whose ids nobody reads back (`write_changes`). On PostgreSQL a
write of a few rows in each part (a step's) is one statement, each UPDATE and INSERT a
data-modifying CTE of it (`_together`)."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Integer, String, Table, bindparam, cast, func, insert, inspect, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from adapters.storage import cursor_reads, orm
from adapters.storage.dialects import insert_on_conflict, on_sqlite
from adapters.storage.row_objects import write_built
from engine import unit_of_work as ports
from engine.errors import N_, AlreadyDone


class Rows:
    """The rows a write path read or inserted with Core, by class and id: each row's
    domain object with the values it held when read (or written). The unit of work
    writes what changed on them itself (`write_changes`), one UPDATE per table and set of
    columns. They are not in the ORM's session: neither its identity map nor its flush
    spends anything on them, and the same row read again gives the same object."""

    def __init__(self, session: Session | None = None) -> None:
        self.session = session
        # By class, then id: the objects, and what their rows held. Two plain dicts, no
        # tuple per row: a chunk of starts holds thousands, and each garbage collection
        # walks them.
        self.objects: dict[type, dict[Any, Any]] = {}
        self.values: dict[type, dict[Any, dict[str, Any]]] = {}
        # Instances' new states, held as written but not sent yet: `write_changes` sends
        # them with the unit of work's next write (on PostgreSQL in the same statement).
        self.pending: list[tuple[Any, tuple[str, ...], list[dict[str, Any]]]] = []
        # Rows to insert whose ids nobody reads back (audit lines, arrivals): sent by
        # `write_changes` too, each table's with `absent` skipping keys stored already.
        self.later: list[tuple[Any, bool, list[dict[str, Any]]]] = []
        # New objects whose ids come with the next write (`insert_new`'s `later`: a step's
        # new work items), as (table, key, objects, rows): one table's at a time.
        self.new: tuple[Any, tuple[str, ...], list[Any], list[dict[str, Any]]] | None = None

    def insert_later(self, table: Any, rows: list[dict[str, Any]], absent: bool = False) -> None:
        """Insert `rows` into `table` (which has no column defaults: every column not given
        is NULL) with the unit of work's next write, at the latest at its commit; with
        `absent`, those whose `key` is not stored yet. A value may be the `NewId` of an
        object of `new`, written with them."""
        if rows:
            self.later.append((table, absent, [{name: row.get(name) for name in inserted(table)} for row in rows]))

    def get(self, cls: type, row_id: Any) -> Any | None:
        return self.objects.get(cls, {}).get(row_id)

    def loaded(self, cls: type, values: dict[str, Any], **extra: Any) -> Any:
        """The object of a row read with Core (`values`, all its columns, kept as what it
        held): the one already held refreshed, else a new one (with `extra`'s
        relationships). A row the ORM loaded in this unit of work stays the ORM's object,
        refreshed (its changes are the ORM's to write)."""
        found = self.get(cls, values["id"])
        if found is not None and self.pending and any(row["_id"] == found.id for table, _, rows in self.pending
                                                      if table is _table_of(cls) for row in rows):
            return found  # its state written by this unit of work, not sent yet: newer than the read
        if found is not None:
            found.__dict__.update(values)
            self.written(found, values)
            return found
        if self.session is not None and self.session.identity_map:
            loaded = self.session.identity_map.get(identity_key(cls, values["id"]))
            if loaded is not None:
                for name, value in values.items():
                    set_committed_value(loaded, name, value)
                return loaded
        obj = write_built(cls, values, **extra)
        self.written(obj, values)
        return obj

    def written(self, obj: Any, values: dict[str, Any]) -> None:
        """`obj`'s row now holds `values` (all its columns)."""
        cls = type(obj)
        if cls not in self.objects:
            self.objects[cls], self.values[cls] = {}, {}
        self.objects[cls][values["id"]] = obj
        self.values[cls][values["id"]] = values

    def read_values(self, obj: Any) -> dict[str, Any] | None:
        """What `obj`'s row held when read or last written, if `obj` is held."""
        if self.get(type(obj), obj.id) is not obj:
            return None
        return self.values[type(obj)][obj.id]

    def clear(self) -> None:
        self.objects.clear()
        self.values.clear()
        self.pending.clear()
        self.later.clear()
        self.new = None


def insert_new(session: Session, rows_held: Rows, table: Any, objects: list[Any], key: tuple[str, ...],
               later: bool = False) -> None:
    """New domain objects, inserted in one Core statement (the ORM sends one INSERT per
    row on SQLite, to read each id back in order) and given their ids by `key`, columns
    unique among them that come back with the ids. Then they are held as read
    (`Rows`), so a later change to one is written as an UPDATE.

    With `later`, on PostgreSQL a few are inserted with the next write instead
    (`Rows.new`), in the same statement as the rows that name them (`NewId`): a step's
    new work items with its arrivals and audit line, one round trip less."""
    if not objects:
        return
    rows = [{c: getattr(obj, c) for c in inserted(table)} for obj in objects]
    if len({tuple(row[k] for k in key) for row in rows}) != len(objects):
        raise ValueError(f"new {table.name} rows share their {key}")
    if later and len(objects) <= _TOGETHER_ROWS and not on_sqlite(session):
        if rows_held.new is not None:  # another table's, held before: written first
            write_changes(session, rows_held)
        rows_held.new = (table, key, objects, rows)
        return
    # What changed before is written first (a cancelled item, then its successor).
    _given_ids(rows_held, key, objects, rows, write_changes(session, rows_held, (table, key, rows)))


def _given_ids(rows_held: Rows, key: tuple[str, ...], objects: list[Any], rows: list[dict[str, Any]],
               found: list[Any]) -> None:
    """New objects given the ids inserted (`found`: each id with its `key` columns), and
    held as read from now on."""
    by_key = {tuple(row[k] for k in key): (obj, row) for row, obj in zip(rows, objects)}
    for one in found:
        obj, row = by_key[tuple(one[1:1 + len(key)])]
        obj.id = row["id"] = one[0]
        rows_held.written(obj, row)


@functools.cache
def inserted(table: Any) -> list[str]:
    """The columns `insert_new` writes."""
    return [c.name for c in orm.written(table) if c.name != "id"]


@functools.lru_cache(maxsize=16)
def _write_insert_returning(table: Any, key: tuple[str, ...]) -> Any:
    """`insert_new`'s statement, built once per table."""
    return insert(table).returning(table.c.id, *(table.c[k] for k in key))


@functools.lru_cache(maxsize=16)
def _write_insert_values(table: Any, key: tuple[str, ...], size: int) -> Any:
    """`insert_new`'s statement for `size` rows on SQLite, their values bound as
    `{column}_{row}`: sent on the cursor (`cursor_reads.write`), as sqlite3 returns no
    rows from a statement run for many. Through SQLAlchemy's execution, which renders
    the same SQL at each run, its Python cost as much as SQLite's work."""
    rows = [{name: bindparam(f"{name}_{k}", type_=table.c[name].type) for name in inserted(table)}
            for k in range(size)]
    return insert(table).values(rows).returning(table.c.id, *(table.c[k] for k in key))


def write_changes(session: Session, rows_held: Rows,
                  then: tuple[Any, tuple[str, ...], list[dict[str, Any]]] | None = None) -> list[Any]:
    """Write what changed on the held rows' objects (`Rows`) with Core, one UPDATE per
    table and set of columns, and the instances' states written but not sent yet
    (`Rows.pending`); hold the written values as read. A versioned row (an instance) is
    written only at the version it was read, and moves to the next one. `then`: rows to
    insert after them (table, key columns, rows); their ids and keys are returned.

    On PostgreSQL, when there is more than one statement to send, they go as one: each
    UPDATE and INSERT a data-modifying CTE of a SELECT of the inserted ids and keys and
    of their counts, one round trip instead of one each. The new objects held for the
    next write (`Rows.new`) are inserted with them (`then`'s, when not given) and given
    their ids; the rows to insert that name them (`NewId`) read the ids there."""
    if rows_held.new is not None and then is not None:
        write_changes(session, rows_held)  # the held new objects first: `then`'s ids are asked now
    new, rows_held.new = rows_held.new, None
    if new is not None:
        then = new[:2] + new[3:]
    writes, later = rows_held.pending, rows_held.later
    rows_held.pending, rows_held.later = [], []
    writes += _changed(rows_held)
    if not writes and not later and then is None:
        return []
    sqlite = on_sqlite(session)
    if not sqlite and len(writes) + len(later) + (then is not None) > 1 and _few_apart(writes, later, then):
        found, written = _write_together(session, writes, later, then, new[2] if new else [])
    else:
        # Each statement on the cursor (`cursor_reads.write`), but on SQLite for an INSERT
        # of many rows whose ids come back (a chunk of starts): sqlite3 returns no rows
        # from a statement run for many, SQLAlchemy's insert of many values does. On
        # PostgreSQL that insert of many values was one long statement psycopg parsed again
        # at every chunk (past the size whose conversion it keeps): 0.5 ms of client CPU a
        # started task for the three tables, against 0.14 on the cursor.
        # Many rows on PostgreSQL (a sweep batch's instances): each column's values as one array.
        written = [cursor_reads.write(session, update_by_id(table, columns, "_read" in rows[0]), rows)[0]
                   if sqlite or len(rows) == 1 else cursor_reads.update_arrays(session, table, columns, rows)
                   for table, columns, rows in writes]
        found = _inserted_new(session, then, sqlite)
        if new is not None:
            _given_ids(rows_held, new[1], new[2], new[3], found)
            found = []
        for table, absent, rows in later:
            if new is not None:
                rows = _ids_named(rows)  # those naming the new objects just inserted
            if sqlite or len(rows) == 1:
                cursor_reads.write(session, _write_later(table, absent, sqlite), rows)
            else:  # each column's values as one array: a statement for the server, not one a row
                cursor_reads.insert_arrays(session, table, rows, absent=absent)
    if written != [len(rows) for _, _, rows in writes]:
        # A row gone (or moved on) since it was read: as the ORM's StaleDataError.
        raise AlreadyDone(N_("This step was already completed or has moved on."))
    if new is not None and found:
        _given_ids(rows_held, new[1], new[2], new[3], found)
        found = []
    return found


def _inserted_new(session: Session, then: tuple[Any, tuple[str, ...], list[dict[str, Any]]] | None,
                  sqlite: bool) -> list[Any]:
    """`write_changes`'s `then` inserted on its own: the ids and keys."""
    if then is None:
        return []
    table, key, rows = then
    if len(rows) == 1:
        return cursor_reads.write(session, _write_insert_returning(table, key), rows)[1]
    if not sqlite:
        return cursor_reads.insert_arrays(session, table, rows, ("id", *key))
    if len(rows) <= _TOGETHER_ROWS:
        # A step's few new items: one INSERT of as many VALUES, built once per count.
        values = {f"{name}_{k}": value for k, row in enumerate(rows) for name, value in row.items()}
        return cursor_reads.write(session, _write_insert_values(table, key, len(rows)), [values])[1]
    return session.connection().execute(_write_insert_returning(table, key), rows).all()


def _ids_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with the `NewId`s of objects given their ids since as values. (A row to
    insert is sent by the call of `write_changes` that inserts the new objects held when it
    was given, and one given after names them by their ids: only that call has any.)"""
    if not any(isinstance(value, ports.NewId) for row in rows for value in row.values()):
        return rows
    return [{name: ports.id_of(value.row, value.text) if isinstance(value, ports.NewId) else value
             for name, value in row.items()} for row in rows]


def _changed(rows_held: Rows) -> list[tuple[Any, tuple[str, ...], list[dict[str, Any]]]]:
    """The held rows' changes, by table and set of columns, as UPDATE rows (`update_by_id`),
    each object held from now on with what it is written with."""
    groups: dict[tuple[Any, tuple[str, ...]], list[tuple[Any, dict[str, Any]]]] = {}
    for cls, objects in rows_held.objects.items():
        read = rows_held.values[cls]
        for row_id, obj in objects.items():
            values, current = read[row_id], obj.__dict__
            if values.items() <= current.items():
                continue  # every column as held, checked in C: most rows (a chunk of starts: all)
            changed = tuple(name for name, value in values.items()
                            if name in current and current[name] is not value and current[name] != value)
            if changed:
                groups.setdefault((_table_of(cls), changed), []).append((obj, values))
    writes = []
    for (table, changed), held in groups.items():
        versioned = "version" in table.c and "version" not in changed
        rows = [{"_id": values["id"], **({"_read": values["version"]} if versioned else {}),
                 **{name: obj.__dict__[name] for name in changed}} for obj, values in held]
        writes.append((table, changed, rows))
        for obj, values in held:
            if versioned:
                obj.version = values["version"] + 1
            rows_held.written(obj, {name: obj.__dict__.get(name, value) for name, value in values.items()})
    return writes


# Rows per part up to which `write_changes` sends its parts as one statement: a step's
# few. A chunk of starts or a sweep batch sends hundreds: as one statement each of its
# sizes would be built, compiled and planned anew, for one round trip less in many.
_TOGETHER_ROWS = 4


def _few_apart(writes: list[tuple[Any, tuple[str, ...], list[dict[str, Any]]]], later: list[Any],
               then: tuple[Any, tuple[str, ...], list[dict[str, Any]]] | None) -> bool:
    """Whether every part of a write has few rows, and no row is in two of `writes` (an
    instance's state, then another column of it): in one statement both would see the
    row as read, and the second would miss the version the first wrote."""
    if any(len(rows) > _TOGETHER_ROWS for *_, rows in (*writes, *later, *([then] if then else []))):
        return False
    seen = set()
    for table, _, rows in writes:
        for row in rows:
            if (table, row["_id"]) in seen:
                return False
            seen.add((table, row["_id"]))
    return True


@functools.lru_cache(maxsize=16)
def _write_later(table: Any, absent: bool, sqlite: bool) -> Any:
    """`Rows.insert_later`'s INSERT, built once per table."""
    if not absent:
        return insert(table)
    return insert_on_conflict(sqlite)(table).on_conflict_do_nothing(index_elements=["key"])


def _write_together(session: Session, writes: list[tuple[Any, tuple[str, ...], list[dict[str, Any]]]],
                    later: list[tuple[Any, bool, list[dict[str, Any]]]],
                    then: tuple[Any, tuple[str, ...], list[dict[str, Any]]] | None,
                    objects: list[Any]) -> tuple[list[Any], list[int]]:
    """PostgreSQL: `writes`, `later` and `then` as one statement (`_together`); the
    inserted rows' ids and keys, and how many rows each UPDATE wrote. `objects`: those
    of `then`'s rows, which `later`'s values may name (`NewId`)."""
    shape = tuple((table, columns, "_read" in rows[0], len(rows)) for table, columns, rows in writes)
    # Each row's values in `_together`'s order of its columns: `_changed`'s and
    # `write_states`'s rows hold "_id", "_read" if versioned, then the columns.
    values = {f"w{n}_{k}_{c}": value for n, (_, _, rows) in enumerate(writes)
              for k, row in enumerate(rows) for c, value in enumerate(row.values())}
    named = []
    for n, (_, _, rows) in enumerate(later):
        cells = []
        for k, row in enumerate(rows):
            for c, value in enumerate(row.values()):
                if not isinstance(value, ports.NewId):
                    values[f"a{n}_{k}_{c}"] = value
                    continue
                cells.append((k, c, next(j for j, obj in enumerate(objects) if obj is value.row),
                              value.text is not None))
                if value.text is not None:
                    values[f"a{n}_{k}_{c}"], values[f"a{n}_{k}_{c}a"] = value.text
        named.append(tuple(cells))
    if then is not None:
        values.update({f"i_{k}_{c}": value for k, row in enumerate(then[2]) for c, value in enumerate(row.values())})
    statement = _together(shape, tuple((table, absent, len(rows), cells)
                                       for (table, absent, rows), cells in zip(later, named)),
                          then and (then[0], then[1], tuple(then[2][0]), len(then[2])))
    found = cursor_reads.write(session, statement, [values])[1]
    if then is None:
        return [], list(found[0][:len(writes)])
    key = len(then[1])
    return [row[:1 + key] for row in found], list(found[0][1 + key:1 + key + len(writes)]) if found else []


@functools.lru_cache(maxsize=64)
def _together(shape: tuple[tuple[Any, tuple[str, ...], bool, int], ...],
              later: tuple[tuple[Any, bool, int, tuple[tuple[int, int, int, bool], ...]], ...],
              then: tuple[Any, tuple[str, ...], tuple[str, ...], int] | None) -> Any:
    """One statement of UPDATEs by id, each of `shape`'s (table, columns, versioned, rows)
    a CTE updating from its bound rows, and INSERTs of `later`'s (table, absent, rows,
    cells naming a new row), then an INSERT of `then`'s (table, key, columns, rows)
    returning ids, keys and the UPDATEs' counts (or only the counts), built once per
    shape. The parts see one snapshot: their rows are distinct (`_few_apart`: an UPDATE of
    rows already held, INSERTs of new ones), and each row's triggers and foreign keys are
    checked as they would be for separate statements.

    The values are bound by part, row and column number (`w{part}_{row}_{column}` for
    the UPDATEs, `i_{row}_{column}` for `then`, `a{part}_{row}_{column}` for `later`), the
    INSERTs' columns labelled by number: a short SQL (`_bound_rows`).
    A cell of `later` (row, column, row of `then`, in text) that names a row of `then`
    (`NewId`) reads its id from `then`'s INSERT, then a CTE of its own (`i`), by its key;
    in text, between the two parts bound as `a{part}_{row}_{column}` and `...a`."""
    counts = []
    ctes = []
    for n, (table, columns, versioned, size) in enumerate(shape):
        names = ("_id", *(("_read",) if versioned else ()), *columns)
        types = (Integer(), *((Integer(),) if versioned else ()), *(table.c[name].type for name in columns))
        given = _bound_rows(f"w{n}", names, types, size).subquery(f"v{n}")
        statement = update(table).where(table.c.id == given.c._id)
        if versioned:
            statement = statement.where(table.c.version == given.c._read).values(version=table.c.version + 1)
        cte = statement.values({name: given.c[name] for name in columns}).returning(table.c.id).cte(f"w{n}")
        ctes.append(cte)
        counts.append(select(func.count()).select_from(cte).scalar_subquery())
    new = None
    if then is not None:
        new_table, key, new_names, new_size = then
        new_rows = insert(new_table).from_select(
            new_names, _numbered_rows("i", new_table, new_names, new_size),
            include_defaults=False)
        if any(cells for *_, cells in later):
            new = new_rows.returning(new_table.c.id, *(new_table.c[k] for k in key)).cte("i")

    def named(n: int, k: int, c: int, j: int, text: bool) -> Any:
        found = select(new.c.id).where(*(new.c[name] == bindparam(f"i_{j}_{new_names.index(name)}",
                                                                  type_=new_table.c[name].type)
                                         for name in key)).scalar_subquery()
        if not text:
            return found
        return (bindparam(f"a{n}_{k}_{c}", type_=String()) + cast(found, String())
                + bindparam(f"a{n}_{k}_{c}a", type_=String()))

    for n, (table, absent, size, cells) in enumerate(later):
        names = tuple(inserted(table))
        given = {(k, c): named(n, k, c, j, text) for k, c, j, text in cells}
        statement = postgresql_insert(table).from_select(
            names, _numbered_rows(f"a{n}", table, names, size, given),
            include_defaults=False)
        if absent:
            statement = statement.on_conflict_do_nothing(index_elements=["key"])
        cte = statement.returning(table.c.id).cte(f"a{n}")
        ctes.append(cte)
        counts.append(select(func.count()).select_from(cte).scalar_subquery())
    if then is None:
        return select(*counts).add_cte(*ctes)
    if new is not None:
        return select(new.c.id, *(new.c[k] for k in key), *counts).add_cte(new, *ctes)
    return new_rows.returning(new_table.c.id, *(new_table.c[k] for k in key), *counts).add_cte(*ctes)


def _bound_rows(prefix: str, labels: tuple[str, ...], types: tuple[Any, ...], size: int,
                given: dict[tuple[int, int], Any] | None = None) -> Any:
    """`size` rows of columns `labels` of `types`, each a SELECT of binds named by row and
    column number (`{prefix}_{row}_{column}`: short, as `_together`'s SQL must be), in a
    union: SQLAlchemy caches the statement's compiled form (not that of a VALUES list of
    binds, which it would compile again at every step). `given`: the cells (row, column)
    that are an expression instead."""
    given = given or {}
    rows = [select(*(given.get((k, c), bindparam(f"{prefix}_{k}_{c}", type_=type_)).label(label)
                     for c, (label, type_) in enumerate(zip(labels, types, strict=True))))
            for k in range(size)]
    return union_all(*rows) if size > 1 else rows[0]


def _numbered_rows(prefix: str, table: Any, names: tuple[str, ...], size: int,
                   given: dict[tuple[int, int], Any] | None = None) -> Any:
    """An INSERT's rows of `table`'s `names` (`_bound_rows`), labelled by column number:
    SQLAlchemy labels every column of a SELECT, and `anon_{n}` is longer."""
    return _bound_rows(prefix, tuple(f"c{c}" for c in range(len(names))), tuple(table.c[name].type for name in names),
                       size, given)


@functools.cache
def _table_of(cls: type) -> Table:
    return inspect(cls).local_table


@functools.lru_cache(maxsize=64)
def update_by_id(table: Any, columns: tuple[str, ...], versioned: bool = False) -> Any:
    """UPDATE `columns` of one row by id (`_id`), built once per table and columns; a
    versioned one only at the version read (`_read`), moving it to the next."""
    statement = update(table).where(table.c.id == bindparam("_id"))
    if versioned:
        statement = statement.where(table.c.version == bindparam("_read")).values(version=table.c.version + 1)
    return statement.values({name: bindparam(name) for name in columns})

