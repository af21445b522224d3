"""Background jobs: long work kept off the request (ASVS-minded and SQLite-minded).

A job is a row (`jobs`: kind, params, progress `done`/`total`, state). The page that
asks for the work queues a job and shows its progress; the scheduler's process (the
in-process clock of `planflow serve`, or `planflow scheduler` workers) runs it. A job
is done in chunks: each chunk is one short transaction that does a slice of the work
*and* records the new progress, so the SQLite write lock is held for a moment at a
time, other people's steps go through between chunks, and a job whose worker died
resumes from its last chunk once its lease has passed.

Why not a job library: RQ, Celery or Dramatiq need a broker (Redis, RabbitMQ) that an
office on one machine does not run; APScheduler, already the clock, has no progress
or resumption. A table in the database we already have gives both, on SQLite and on
PostgreSQL.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from engine.clock import Clock, SystemClock, from_storage, to_storage
from engine.errors import N_, NotFound
from engine.unit_of_work import AbstractUnitOfWork

LEASE = timedelta(minutes=5)  # longer than any one chunk takes
# Seconds between two chunks. SQLite's waiting writers retry every 100 ms: a worker
# that began its next chunk at once could keep a person's step waiting past the
# busy timeout. With this gap, a waiting step goes first.
PAUSE = 0.15

# A chunk: do the next slice of the job in the open unit of work (no commit) and
# return how many of `total` are done now. Receives the job's payload (with the job's
# own id under "job_id", for a job that keeps a file) and `done`.
Chunk = Callable[[AbstractUnitOfWork, dict[str, Any], int, Clock], int]


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    state: str  # queued | running | done | failed
    done: int
    total: int
    params: dict[str, Any]
    error: str | None
    created_at: datetime | None
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        return 100 if self.total <= 0 else min(100, self.done * 100 // self.total)

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed")


def enqueue(uow: AbstractUnitOfWork, kind: str, params: dict[str, Any], payload: dict[str, Any], total: int,
            user_id: int | None, now: datetime) -> int:
    """Queue a job in the caller's open unit of work (committed with what asked for it).
    `params` is what its page shows; `payload` the work's input (read by the worker)."""
    return uow.jobs.add({"kind": kind, "state": "queued", "created_by": user_id, "created_at": to_storage(now),
                         "done": 0, "total": total, "params": params, "payload": payload})


def get_job(uow: AbstractUnitOfWork, job_id: int, user_id: int) -> JobView:
    """A job, for the person who asked for it (others: NotFound)."""
    with uow:
        row = uow.jobs.get(job_id)
    if row is None or row["created_by"] != user_id:
        raise NotFound(N_("This job does not exist."))
    return _view(row)


def get_file(uow: AbstractUnitOfWork, job_id: int) -> tuple[str, bytes] | None:
    """The file a job made (name, bytes); ask `get_job` first, which checks who asks."""
    with uow:
        return uow.jobs.file(job_id)


@dataclass
class RunResult:
    finished: int = 0
    failed: int = 0
    chunks: int = 0


def run_pending(uow_factory: Callable[[], AbstractUnitOfWork], chunks: dict[str, Chunk],
                clock: Clock | None = None, max_jobs: int = 10, pause: float = PAUSE) -> RunResult:
    """Claim queued jobs (or ones whose worker's lease passed) and run each to its end,
    chunk by chunk. Two workers never run one job: the claim is a conditional update."""
    clock = clock or SystemClock()
    result = RunResult()
    for _ in range(max_jobs):
        with uow_factory() as uow:
            row = uow.jobs.claim(to_storage(clock.now()), to_storage(clock.now() + LEASE))
            uow.commit()
        if row is None:
            break
        _run(uow_factory, chunks[row["kind"]], row, clock, result, pause)
    return result


def _run(uow_factory: Callable[[], AbstractUnitOfWork], chunk: Chunk, row: dict[str, Any], clock: Clock,
         result: RunResult, pause: float) -> None:
    done, total = row["done"], row["total"]
    try:
        while done < total:
            with uow_factory() as uow:
                done = chunk(uow, {**row["payload"], "job_id": row["id"]}, done, clock)
                now = clock.now()
                uow.jobs.progress(row["id"], done, to_storage(now + LEASE),
                                  finished_at=to_storage(now) if done >= total else None)
                uow.commit()
            result.chunks += 1
            time.sleep(pause)
        if total <= 0:
            with uow_factory() as uow:
                uow.jobs.progress(row["id"], 0, None, finished_at=to_storage(clock.now()))
                uow.commit()
        result.finished += 1
    except Exception as error:  # noqa: BLE001  the job fails, the worker goes on
        with uow_factory() as uow:
            uow.jobs.fail(row["id"], f"{type(error).__name__}: {error}"[:2000], to_storage(clock.now()))
            uow.commit()
        result.failed += 1


def _view(row: dict[str, Any]) -> JobView:
    return JobView(id=row["id"], kind=row["kind"], state=row["state"], done=row["done"], total=row["total"],
                   params=row["params"] or {}, error=row["error"], created_at=from_storage(row["created_at"]),
                   finished_at=from_storage(row["finished_at"]))
