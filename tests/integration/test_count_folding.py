"""Folding the count rows (`adapters/storage/inbox_counts.py`) rewrites only the keys
that have rows added since a fold: the sums stay those of the rows, keys summing to
nothing disappear, the other keys' rows are left as they are (their ids kept), after
random deltas and folds by workers that restart; on PostgreSQL also with two workers
folding at once and with rows of a transaction that commits after a fold has passed them."""
from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import date

from sqlalchemy import func, insert, select

from adapters.storage import inbox_counts, orm
from tests.support.office import make_office

T = orm.unit_task_counts
KEY = inbox_counts.KEYS["unit_task_counts"]
DATES = (None, date(2024, 3, 1), date(2024, 4, 2))


def a_key(**values) -> tuple:
    return tuple(values[k] for k in KEY)


def random_key(rng: random.Random) -> tuple:
    # A few values per column, dates NULL a third of the time: keys repeat and sum to zero.
    return a_key(unit_id=rng.choice((901, 902)), lead=rng.choice((0, 1)), plan_id=rng.choice((71, 72)),
                 status=rng.choice(("open", "done")), due_on=rng.choice(DATES), closed_on=rng.choice(DATES))


def add(connection, rows: list[tuple[tuple, int]]) -> None:
    connection.execute(insert(T), [dict(zip(KEY, key), n=n) for key, n in rows])


def stored(engine) -> dict[tuple, list[tuple[int, int]]]:
    """Each key's rows (id, n) of the hand-made units (901, 902)."""
    held: dict[tuple, list[tuple[int, int]]] = {}
    with engine.connect() as connection:
        for row in connection.execute(select(T.c.id, *[T.c[k] for k in KEY], T.c.n).where(T.c.unit_id > 900)):
            held.setdefault(tuple(row[1:-1]), []).append((row.id, row.n))
    return held


def test_random_deltas_and_folds_keep_the_sums_and_the_untouched_keys_rows(office_on_each_database):
    engine = office_on_each_database.storage.engine
    rng = random.Random(15)
    want: Counter = Counter()
    marks: dict[str, inbox_counts.Marks] = {}
    touched: set[tuple] = set()
    for round_ in range(60):
        rows = []
        for _ in range(rng.randint(0, 12)):
            key = random_key(rng)
            n = rng.choice((1, -1)) if want[key] else 1  # a -1 only of a key counted: as the triggers write
            want[key] += n
            rows.append((key, n))
            touched.add(key)
        with engine.begin() as connection:
            if rows:
                add(connection, rows)
        if rng.random() < 0.2:
            marks = {}  # a worker that restarts: no mark
        before = stored(engine)
        inbox_counts.compact(engine, marks)
        after = stored(engine)
        assert {k: sum(n for _, n in r) for k, r in after.items()} == {k: v for k, v in want.items() if v}, round_
        assert all(len(r) == 1 for r in after.values()), round_  # every key folded
        for key, rows_of_key in before.items():
            if key not in touched:
                assert after[key] == rows_of_key, (round_, key)  # an untouched key's row is left as it is
        touched = set()


def test_a_row_given_the_id_of_a_row_folded_away_is_folded(office_on_each_database):
    """SQLite gives a new row the newest id plus one: once a fold drops the newest rows (a
    key summing to nothing), a new row may take an id the last fold had seen."""
    engine = office_on_each_database.storage.engine
    kept = a_key(unit_id=901, lead=1, plan_id=71, status="open", due_on=None, closed_on=None)
    gone = a_key(unit_id=902, lead=0, plan_id=72, status="done", due_on=date(2024, 3, 1), closed_on=None)
    marks: dict[str, inbox_counts.Marks] = {}
    for rows in ([(kept, 1), (gone, 1)], [(gone, -1)], [(kept, 1)]):  # the last: the id of `gone`'s +1
        with engine.begin() as connection:
            add(connection, rows)
        inbox_counts.compact(engine, marks)
    assert {k: [n for _, n in r] for k, r in stored(engine).items()} == {kept: [2]}


def test_two_workers_folding_at_once_while_steps_write_keep_the_sums_on_postgresql(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    engine = office.storage.engine
    want: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(150):
                with engine.begin() as connection:
                    rows = []
                    with lock:  # draw the deltas as the triggers would: a -1 only of a key counted
                        for _ in range(rng.randint(1, 4)):
                            key = random_key(rng)
                            n = rng.choice((1, -1)) if want[key] > 0 else 1
                            want[key] += n
                            rows.append((key, n))
                    add(connection, rows)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    def folder() -> None:
        marks: dict[str, inbox_counts.Marks] = {}
        try:
            while not stop.is_set():
                inbox_counts.compact(engine, marks)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
    folders = [threading.Thread(target=folder) for _ in range(2)]
    try:
        for thread in writers + folders:
            thread.start()
        for thread in writers:
            thread.join()
        stop.set()
        for thread in folders:
            thread.join()
        assert not errors, errors
        # -1s may have been drawn before their +1 committed: sums only hold once all are in.
        for marks in ({}, {}):
            inbox_counts.compact(engine, marks)
        after = stored(engine)
        assert {k: sum(n for _, n in r) for k, r in after.items()} == {k: v for k, v in want.items() if v}
        assert all(len(r) == 1 for r in after.values())
    finally:
        engine.dispose()


def test_a_row_committed_after_a_fold_passed_its_id_is_folded_by_the_next_on_postgresql(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    engine = office.storage.engine
    late = a_key(unit_id=901, lead=1, plan_id=71, status="open", due_on=None, closed_on=None)
    other = a_key(unit_id=902, lead=0, plan_id=72, status="done", due_on=date(2024, 3, 1), closed_on=None)
    marks: dict[str, inbox_counts.Marks] = {}
    try:
        with engine.begin() as connection:
            add(connection, [(late, 1), (other, 1)])
        inbox_counts.compact(engine, marks)
        with engine.begin() as slow:
            add(slow, [(late, 1)])  # its id is drawn now, committed after the next fold
            with engine.begin() as connection:
                add(connection, [(other, 1)])
            inbox_counts.compact(engine, marks)  # folds `other`'s rows, not yet the slow one's
        assert len(stored(engine)[late]) == 2
        with engine.begin() as connection:
            add(connection, [(other, -1)])
        inbox_counts.compact(engine, marks)
        after = stored(engine)
        assert {k: [n for _, n in r] for k, r in after.items()} == {late: [2], other: [1]}
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(T).where(T.c.unit_id > 900)) == 2
    finally:
        engine.dispose()
