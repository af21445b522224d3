"""Every connection a `Storage` opens on a SQLite file is set up alike (`_sqlite_pragmas`):
the pool opens new ones at any time, and one left at SQLite's defaults would read with
foreign keys off, fail at once on a lock and search through a 2 MiB page cache."""
from __future__ import annotations

from adapters.storage import PAGE_CACHE_KIB, Storage


def test_each_pooled_sqlite_connection_has_the_offices_settings(sqlite_url):
    storage = Storage(sqlite_url)
    try:
        with storage.engine.connect() as first, storage.engine.connect() as second:
            for conn in (first, second):
                pragma = conn.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar_one() == "wal"
                assert pragma("PRAGMA foreign_keys").scalar_one() == 1
                assert pragma("PRAGMA busy_timeout").scalar_one() == 10000
                assert pragma("PRAGMA cache_size").scalar_one() == -PAGE_CACHE_KIB == -16384
    finally:
        storage.engine.dispose()
