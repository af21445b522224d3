"""Domain objects from rows read with Core, as the write paths and the sweep read them:
a joined read's columns labelled by table (`write_labelled`), each table's part of a row
read on the cursor (`part_at`), and the object built from a row as the ORM's loading
builds one (`write_built`, for `batched_writes.Rows.loaded`), at a fraction of the cost of
the ORM's query and loading."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql.expression import Alias

from adapters.storage import orm


def write_labelled(tables: dict[str, Any]) -> tuple[list[Any], dict[str, dict[str, str]]]:
    """Every column of `tables` labelled with its table's prefix, for a joined read whose
    rows become several domain objects; and per prefix, the labels' column names (`part_at`)."""
    parts = {prefix: {f"{prefix}_{c.name}": c.name
                      for c in orm.written(table.element if isinstance(table, Alias) else table)}
             for prefix, table in tables.items()}
    columns = [tables[prefix].c[name].label(label) for prefix, part in parts.items() for label, name in part.items()]
    return columns, parts


def part_at(row: tuple[Any, ...], at: tuple[tuple[int, str], ...]) -> dict[str, Any]:
    """One table's columns of a joined row read on the cursor, by column name."""
    return {name: row[n] for n, name in at}


def write_built(cls: type, values: dict[str, Any], **extra: Any) -> Any:
    """A detached domain object made from all its columns' `values` (and `extra`
    relationships) as the ORM's loading makes one: its class's `__init__` would send an
    attribute event per column (a third of a step's object building). Its identity is
    set as the loader sets it. `make_transient_to_detached` did the same and more that a
    new object does not need (its history cleared, its attributes not given looked for
    to expire: none, every column is given), at several times the cost of the rest; a
    step builds about a dozen."""
    mapper = _mapper_of(cls)
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    for name, value in extra.items():
        set_committed_value(obj, name, value)
    instance_state(obj).key = mapper.identity_key_from_primary_key((values["id"],))
    return obj


@functools.cache
def _mapper_of(cls: type) -> Mapper:
    return inspect(cls)

