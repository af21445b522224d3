"""Reading a paged plan (a PDF, a scan) in the background, page by page, with its
progress where any process of the server can read it: a row of `jobs`.

OCR takes seconds a page, so the upload does not wait for it: `start` checks the
uploader, keeps an empty draft and a job (state running, total = the pages) and
reads in a thread of this process; after each page the job's `done` moves and its
lease is renewed. At the end the draft holds what was read and the job is done (its
params name the draft), or the job failed with the reason as a msgid and its
parameters. A reading whose process died (a restart) is found by the scheduler
once its lease passed: its chunk fails it, saying to upload again; it is never
silently lost.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable

from engine import jobs
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_
from engine.file_names import safe_filename
from engine.importing.draft import flag_used_number
from engine.importing.errors import PlanFileError
from engine.importing.plan_import import directory_of, from_result, require_monitor
from engine.importing.parser import parse_blocks
from engine.unit_of_work import AbstractUnitOfWork

READ_SCAN = "read_plan_pages"  # the job's kind
INTERRUPTED = N_("The reading of this file stopped (the server restarted): upload the file again.")
UowFactory = Callable[[], AbstractUnitOfWork]
# `read(source, filename, progress=...)`: adapters.readers.read_source.
PagedReader = Callable[..., list]


def start(uow_factory: UowFactory, source: bytes, filename: str, pages: int, user_id: int,
          read: PagedReader, clock: Clock | None = None, wait: bool = False) -> int:
    """Queue the reading of a paged file; returns the job's id. `wait` reads in the
    caller's thread (tests, and the command line)."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow_factory() as uow:
        user = require_monitor(uow, user_id)
        draft_id = uow.import_drafts.add(user_id, to_storage(now), safe_filename(filename), {})
        job_id = uow.jobs.add({
            "kind": READ_SCAN, "state": "running", "created_by": user_id, "created_at": to_storage(now),
            "started_at": to_storage(now), "claimed_until": to_storage(now + jobs.LEASE), "done": 0,
            "total": pages, "params": {"draft_id": draft_id, "file": safe_filename(filename)}, "payload": {},
        })
        uow.commit()
    work = _Reading(uow_factory, job_id, draft_id, user.unit_id, clock)
    if wait:
        work.run(source, filename, read)
    else:
        threading.Thread(target=work.run, args=(source, filename, read), daemon=True,
                         name=f"planflow-read-{job_id}").start()
    return job_id


def interrupted_chunk(uow: AbstractUnitOfWork, payload: dict[str, Any], done: int, clock: Clock) -> int:
    """The scheduler's chunk for a reading whose lease passed: its thread is gone."""
    raise PlanFileError(INTERRUPTED)


def failure(job: jobs.JobView) -> tuple[str, dict[str, Any]] | None:
    """A failed reading's reason: (msgid, params), for the page to translate."""
    if job.state != "failed" or not job.error:
        return None
    try:
        reason = json.loads(job.error)
        return reason["msgid"], reason.get("params", {})
    except (ValueError, KeyError, TypeError):
        return INTERRUPTED, {}


class _Reading:
    def __init__(self, uow_factory: UowFactory, job_id: int, draft_id: int, unit_id: int | None,
                 clock: Clock) -> None:
        self.uow_factory, self.job_id, self.draft_id, self.unit_id, self.clock = (
            uow_factory, job_id, draft_id, unit_id, clock)

    def run(self, source: bytes, filename: str, read: PagedReader) -> None:
        try:
            blocks = read(source, filename, progress=self._page_done)
            with self.uow_factory() as uow:
                units = uow.units.list()
            draft = from_result(parse_blocks(blocks, directory_of(units)), {u.name: u.id for u in units},
                                safe_filename(filename), self.unit_id)
            with self.uow_factory() as uow:
                flag_used_number(draft, uow.plans.list_with_counts())
                uow.import_drafts.update(self.draft_id, draft.to_dict())
                row = uow.jobs.get(self.job_id)
                uow.jobs.progress(self.job_id, row["total"], None, finished_at=to_storage(self.clock.now()))
                uow.commit()
        except PlanFileError as error:
            self._fail(error.msgid, error.params)
        except Exception as error:  # noqa: BLE001  a thread's error must reach the person, not vanish
            self._fail(N_("The file could not be read: %(detail)s"), {"detail": f"{type(error).__name__}: {error}"})

    def _page_done(self, done: int, total: int) -> None:
        with self.uow_factory() as uow:
            uow.jobs.progress(self.job_id, min(done, total), to_storage(self.clock.now() + jobs.LEASE))
            uow.commit()

    def _fail(self, msgid: str, params: dict[str, Any]) -> None:
        reason = json.dumps({"msgid": msgid, "params": {k: str(v) for k, v in params.items()}}, ensure_ascii=False)
        with self.uow_factory() as uow:
            uow.jobs.fail(self.job_id, reason, to_storage(self.clock.now()))
            uow.import_drafts.delete(self.draft_id)
            uow.commit()
