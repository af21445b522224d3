"""Several workers completing different steps at once, as gunicorn's worker processes do
on a scaled-out planflow: steps per second, latency per step, errors by kind and (on
PostgreSQL) the lock waits seen, for W = 1, 2, 3, 4 and 8 worker processes, then the
office checked: every step completed exactly once and the office's invariants kept.

The office is bench/scale.py's kept one (20,000 open tasks: `--open 20000 --db ...`),
measured on a copy of it (scale.py's `KeptFile` and `KeptDatabase`): on SQLite a copy
of the file, on PostgreSQL a database made from it as a TEMPLATE and dropped after.
The steps are scale.py's "complete a step" (`head_assigning`): a unit head assigning a
task to the unit's staff. In the "same unit" rows every worker completes steps of one
unit (Phòng KSTTHC, as its head), the worst case for rows the steps share: the unit's
and the head's rows their foreign keys lock, the unit's inbox count rows, and on SQLite
the one writer. The "spread" row gives its 3 workers a unit each (the three that have
a head and staff). Every worker is a process (spawned: its own engine and units of
work, as a gunicorn worker), completes WARM_UP steps first (untimed: compiling,
the process spec), waits for the others at a barrier, then completes its share of
`--steps` steps one after another, each step its own unit of work, as requests are.

    .venv/bin/python bench/concurrent_steps.py --sqlite /work/notes/office20k.sqlite3
    .venv/bin/python bench/concurrent_steps.py --url postgresql+psycopg://postgres@127.0.0.1:5491/postgres \\
                                               --db office20k
    [--steps 96] [--rounds 2]

Wall clock, and the machine's cores are shared with whatever else runs: the figures of
W above the cores count measure waiting for a core too; say how many cores next to them.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from adapters.storage import Storage, orm  # noqa: E402
from bench.scale import HEAD, STAFF, WORK_DAY, KeptDatabase, KeptFile, head_assigning  # noqa: E402
from engine.clock import to_storage  # noqa: E402
from engine.process import instances  # noqa: E402
from engine.tasks import steps  # noqa: E402
from tests.support.inbox_check import check_every_inbox  # noqa: E402
from tests.support.office import KSTTHC, Office, clock_on, open_office  # noqa: E402
from tests.support.office_invariants import dashboard_agrees, inputs_stored, not_stuck, plan_groups_kept  # noqa: E402

# The units whose heads assign (each has staff to assign to): (unit, head, staff).
SAME = (KSTTHC, HEAD, STAFF)
SPREAD = (SAME, ("Phòng Tổng hợp", "truong.th", "cv.th"), ("Ban Tiếp công dân tỉnh", "truongban.tcd", "cv.tcd"))
WARM_UP = 2  # steps per worker before the barrier, untimed
SAMPLE_EVERY = 0.01  # s between two looks of the PostgreSQL monitor at the waiting backends


@dataclass
class Row:
    label: str
    units: tuple[tuple[str, str, str], ...]  # one per worker

    @property
    def workers(self) -> int:
        return len(self.units)


ROWS = [Row(f"same unit, W={w}", (SAME,) * w) for w in (1, 2, 3, 4, 8)] + [Row("spread over 3 units, W=3", SPREAD)]


@dataclass
class Outcome:
    """One step a worker completed, or tried to: when it started and took (s), what it raised."""

    item_id: int
    timed: bool
    started: float
    seconds: float
    error: str | None


def work(url: str, user_id: int, assignee_id: int, warm: list[int], timed: list[int], barrier, results) -> None:
    """A worker process: its own engine; the `warm` steps, the barrier, then the `timed` ones."""
    storage = Storage(url)
    clock = clock_on(WORK_DAY)
    fields = {"assignee": assignee_id}

    def complete(item_id: int, is_timed: bool) -> Outcome:
        started = time.perf_counter()  # (CLOCK_MONOTONIC: the same clock in every process)
        error = None
        try:
            steps.complete_step(storage.uow(), item_id, user_id, fields, clock=clock)
        except Exception as failed:  # noqa: BLE001 - every failure is a figure of the bench
            error = f"{type(failed).__name__}: {str(failed).splitlines()[0][:100] if str(failed) else ''}"
        return Outcome(item_id, is_timed, started, time.perf_counter() - started, error)

    outcomes = [complete(item_id, False) for item_id in warm]
    barrier.wait()
    outcomes += [complete(item_id, True) for item_id in timed]
    storage.engine.dispose()
    results.put(outcomes)


class LockWatch:
    """PostgreSQL: a monitor connection looking at the office's active backends every
    SAMPLE_EVERY s while the workers run: how often some wait on a lock (a row's, a
    transaction's), and every wait seen by kind (`pg_stat_activity.wait_event_type:
    wait_event`: also LWLock, IO, Client); the deadlocks `pg_stat_database` counted meanwhile."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.stop = threading.Event()
        self.samples, self.waiting_samples, self.most, self.most_active = 0, 0, 0, 0
        self.kinds: Counter[str] = Counter()
        self.deadlocks = 0

    def _deadlocks(self, conn) -> int:
        return conn.scalar(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))

    def _watch(self) -> None:
        with self.engine.connect() as conn:
            before = self._deadlocks(conn)
            while not self.stop.is_set():
                active = conn.execute(text(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state = 'active'")).all()
                locks = [event for kind, event in active if kind == "Lock"]
                self.samples += 1
                self.waiting_samples += bool(locks)
                self.most = max(self.most, len(locks))
                self.most_active = max(self.most_active, len(active))
                self.kinds.update(f"{kind}:{event}" for kind, event in active if kind)
                time.sleep(SAMPLE_EVERY)
            time.sleep(0.5)  # pg_stat_database is updated by the backends as they go idle
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            self.deadlocks = self._deadlocks(conn) - before

    def __enter__(self) -> LockWatch:
        self.thread = threading.Thread(target=self._watch)
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join()
        self.engine.dispose()

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.kinds.most_common()) or "none"
        share = self.waiting_samples / self.samples if self.samples else 0
        return (f"a backend waiting on a lock in {share:.0%} of {self.samples} looks (at most {self.most} at once, "
                f"of at most {self.most_active} active); waits seen, backend-looks: {kinds}; "
                f"deadlocks {self.deadlocks}")


def gather(office: Office, plan_ids: list[int], need: dict[str, int]) -> dict[str, list[int]]:
    """At least `need` of each unit's head's assign steps, from the last plans: gathered
    before the rows run (reading them is slow), each row then taking its own (`take`)."""
    found: dict[str, list[int]] = {unit: [] for unit in need}
    for plan_id in reversed(plan_ids):
        for unit, count in need.items():
            if len(found[unit]) < count:
                found[unit] += [item.id for item in head_assigning(office, plan_id, unit)]
    return found


def take(left: dict[str, list[int]], unit: str, count: int) -> list[int]:
    taken, left[unit] = left[unit][:count], left[unit][count:]
    return taken


def run_row(url: str, office: Office, row: Row, left: dict[str, list[int]], total: int, dialect: str) -> list[Outcome]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(row.workers + 1), context.Queue()  # and this process: the watch starts then
    share = total // row.workers
    workers = [context.Process(target=work, args=(
        url, office.users[head], office.users[staff], take(left, unit, WARM_UP), take(left, unit, share),
        barrier, results)) for unit, head, staff in row.units]
    for worker in workers:
        worker.start()
    barrier.wait()
    with LockWatch(url) if dialect == "postgresql" else nullcontext() as watch:
        outcomes = [outcome for _ in workers for outcome in results.get()]
    for worker in workers:
        worker.join()
    print_row(row, outcomes, watch)
    return outcomes


def figures(outcomes: list[Outcome], rounds: list[float] | None = None) -> str:
    """A table row's figures of `outcomes`: the timed steps a second from the first start to
    the last end (of each round, their median and range: `rounds`), their median, p95 and
    longest latency, and every error by kind (the warm-up's too)."""
    timed = [o for o in outcomes if o.timed]
    latencies = sorted(1000 * o.seconds for o in timed)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    rate = f"{statistics.median(rounds):.1f} ({min(rounds):.1f}–{max(rounds):.1f})" if rounds else f"{per_second(timed):.1f}"
    errors = Counter(o.error for o in outcomes if o.error)
    return (f"{rate} | {statistics.median(latencies):.1f} | {p95:.1f} | {latencies[-1]:.0f} | "
            f"{dict(errors) or 'none'}")


def per_second(timed: list[Outcome]) -> float:
    return len(timed) / (max(o.started + o.seconds for o in timed) - min(o.started for o in timed))


def print_row(row: Row, outcomes: list[Outcome], watch: LockWatch | None) -> None:
    print(f"| {row.label} | {figures(outcomes)} | "
          f"{watch.summary() if watch else 'n/a (one writer: waits are in busy_timeout)'} |", flush=True)


def print_summary(by_row: dict[str, list[list[Outcome]]]) -> None:
    """Each row over its rounds: steps/s per round's median (range), latencies pooled."""
    print("\nover the rounds:\n\n| workers | steps/s, median of rounds (range) | median ms | p95 ms | longest ms "
          "| errors |\n|---|---|---|---|---|---|")
    for label, rounds in by_row.items():
        rates = [per_second([o for o in outcomes if o.timed]) for outcomes in rounds]
        print(f"| {label} | {figures([o for outcomes in rounds for o in outcomes], rates)} |")


def check(office: Office, outcomes: list[Outcome], since) -> list[str]:
    """Every step tried completed exactly once (one history line, its work item completed)
    or, when it failed, left as it was; then the office's invariants (tests/support's
    office_invariants and inbox_check) over what the steps touched."""
    a, w = orm.audit_events.c, orm.work_items.c
    tried = {o.item_id: o.error for o in outcomes}
    with office.storage.engine.connect() as conn:
        lines = Counter(conn.execute(select(a.work_item_id).where(
            a.action == "step_completed", a.work_item_id.in_(tried))).scalars())
        states = dict(conn.execute(select(w.id, w.state).where(w.id.in_(tried))).all())
        touched = list(conn.execute(select(w.instance_id).where(w.id.in_(tried))).scalars())
    problems = [f"work item {item_id}: {lines[item_id]} history lines, {states[item_id]}, error {error}"
                for item_id, error in tried.items()
                if (lines[item_id], states[item_id]) != ((0, "ready") if error else (1, "completed"))]
    with office.uow() as uow:
        rt = instances.runtime(uow, clock_on(WORK_DAY))
        for instance in map(uow.instances.get, touched):
            problems += not_stuck(uow, instance, rt, instances.load(uow, rt, instance))
        problems += dashboard_agrees(office, uow, WORK_DAY)
    problems += inputs_stored(office, since)
    problems += plan_groups_kept(office)
    try:
        check_every_inbox(office, WORK_DAY)
    except AssertionError as differs:
        problems.append(f"an inbox's counts are not its rows': {differs}")
    return problems


def measure(url: str, args: argparse.Namespace) -> None:
    office = open_office(url)
    dialect = office.storage.engine.dialect.name
    with office.storage.engine.connect() as conn:
        plan_ids = list(conn.execute(select(orm.plans.c.id).order_by(orm.plans.c.id)).scalars())
        open_tasks = conn.scalar(select(func.count()).select_from(orm.process_instances)
                                 .where(orm.process_instances.c.status == "running"))
    need: Counter[str] = Counter()
    for row in ROWS:
        for unit, _, _ in row.units:
            need[unit] += args.rounds * (WARM_UP + args.steps // row.workers)
    left = gather(office, plan_ids, need)
    print(f"\n{dialect}: {open_tasks} open tasks; {args.steps} timed steps a row, {args.rounds} rounds; "
          f"{multiprocessing.cpu_count()} cores, shared with other work\n")
    print("| workers | steps/s | median ms | p95 ms | longest ms | errors (warm-up too) | lock waits |\n"
          "|---|---|---|---|---|---|---|")
    since = to_storage(clock_on(WORK_DAY).now())
    by_row: dict[str, list[list[Outcome]]] = {row.label: [] for row in ROWS}
    for n in range(args.rounds):
        for row in ROWS if n % 2 == 0 else ROWS[::-1]:  # alternated: a row is not always after the same one
            by_row[row.label].append(run_row(url, office, row, left, args.steps, dialect))
    print_summary(by_row)
    outcomes = [o for rounds in by_row.values() for outcomes in rounds for o in outcomes]
    started = time.perf_counter()
    problems = check(office, outcomes, since)
    print(f"\nchecked {len(outcomes)} steps and the office in {time.perf_counter() - started:.0f} s: "
          f"{len(problems)} problems", *problems[:20], sep="\n  ")
    office.storage.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="a kept SQLite office (bench/scale.py --db): measured on a copy")
    parser.add_argument("--url", help="a PostgreSQL server's URL, with --db the kept office's database there")
    parser.add_argument("--db", help="with --url: the kept office's database, copied as a TEMPLATE")
    parser.add_argument("--steps", type=int, default=96, help="timed steps a row, shared by its workers")
    parser.add_argument("--rounds", type=int, default=2, help="times every row runs (in alternated orders)")
    args = parser.parse_args()
    if not (args.sqlite or (args.url and args.db)):
        parser.error("give --sqlite, or --url and --db, or both")
    if args.sqlite:
        with tempfile.TemporaryDirectory() as scratch, \
                KeptFile(Path(args.sqlite), Path(scratch) / "office.sqlite3").copy() as url:
            measure(url, args)
    if args.url:
        with KeptDatabase(args.url, args.db, measured=f"{args.db}_concurrent_steps").copy() as url:
            measure(url, args)


if __name__ == "__main__":
    main()
