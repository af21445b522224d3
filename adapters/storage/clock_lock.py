"""Who runs the clock on a SQLite database: one process at a time.

SQLite has no row locks to share work between scheduler processes (`FOR UPDATE SKIP
LOCKED` means nothing there), so only one process may run the timer sweep and the
mail outbox on a SQLite file: the holder of an exclusive lock on a file beside the
database. The lock is the operating system's (`flock`): it goes with the process,
however that ends. PostgreSQL shares the work through row locks: no lock needed.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class ClockLock:
    """`acquire()` → True when this process may run the clock (it then keeps it)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: no lock needed (PostgreSQL, an in-memory SQLite)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self.path is None or self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); True if this process holds it."""
        if self.held:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for the operator who looks
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def for_database(url: str, dialect: str) -> ClockLock:
    if dialect != "sqlite" or not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        return ClockLock(None)
    database = Path(url.removeprefix("sqlite:///"))
    return ClockLock(database.with_name(database.name + ".clock.lock"))
