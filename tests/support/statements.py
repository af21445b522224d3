"""The SQL an engine sends while a block runs, in the order sent: for the tests that
count a service's statements or read their query plans, and for the benchmarks."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def sent_statements(engine: Engine) -> Iterator[list[str]]:
    """The text of each statement."""
    sent: list[str] = []
    with _listening(engine, lambda statement, parameters: sent.append(statement)):
        yield sent


@contextmanager
def sent_with_parameters(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Each statement with its parameters, to replay it or EXPLAIN it."""
    sent: list[tuple[str, Any]] = []
    with _listening(engine, lambda statement, parameters: sent.append((statement, parameters))):
        yield sent


@contextmanager
def _listening(engine: Engine, record: Callable[[str, Any], None]) -> Iterator[None]:
    def listener(conn, cursor, statement, parameters, *rest) -> None:
        record(statement, parameters)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listener)
