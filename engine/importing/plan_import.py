"""Plan import, the service: a file becomes a draft a monitor reviews, then a plan.

`preview` reads and parses the file against the units stored in this database (their
names and aliases), giving an `ImportDraft`; `save_draft` keeps it between upload and
confirm; `confirm` takes the edited draft and, in ONE transaction, creates the new
units the person confirmed, stores the plan and starts one process per task (via
`intake.store_plan`): if anything fails, nothing is stored. Only monitors import.

A plan of more than `LARGE_PLAN` tasks is confirmed in the background instead
(`confirm_in_background`): the plan and its new units are stored at once, and a job
(`engine/jobs.py`) stores and starts its tasks `CHUNK` at a time, so no request waits
minutes and the database is never held for long.

Reading files is an outside effect, so the reader is passed in (`read(source,
filename) -> blocks`; `adapters.readers.read_source`): the engine imports no adapter.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from engine import jobs, model
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_, InvalidInput, NotAllowed, NotFound
from engine.file_names import safe_filename
from engine.importing import Block, ImportResult, UnitDirectory, parse_blocks
from engine.importing.draft import (
    NEW,
    ImportDraft,
    flag_used_number,
    from_result,
    plan_and_tasks,
    read_deadline,
    used_new_units,
)
from engine.tasks import intake
from engine.text_limits import NAME, limited_text
from engine.unit_of_work import AbstractUnitOfWork

PlanReader = Callable[[Path | bytes, str], list[Block]]
LARGE_PLAN = 100  # tasks: a larger plan is confirmed by a background job
CHUNK = 10  # tasks stored and started per transaction of that job: the write lock is held that long
START_TASKS = "start_plan_tasks"  # the job's kind


def may_import(user: model.User | None) -> bool:
    return user is not None and user.role == "monitor"


def require_monitor(uow: AbstractUnitOfWork, user_id: int) -> model.User:
    """The user, if a monitor; NotAllowed otherwise. Call inside an open unit of work."""
    user = uow.users.get(user_id)
    if not may_import(user):
        raise NotAllowed(N_("Only a plan monitor imports plans."))
    return user


def known_units(uow: AbstractUnitOfWork, user_id: int) -> list[model.Unit]:
    """The units a reviewer may choose from (checks the user may import)."""
    with uow:
        require_monitor(uow, user_id)
        return uow.units.list()


def directory_of(units: list[model.Unit]) -> UnitDirectory:
    """The office's unit directory: its stored units with their aliases (a new office
    has none, and every name in a plan comes back as written)."""
    return UnitDirectory({"name": u.name, "aliases": list(u.aliases or []), "kind": u.kind} for u in units)


def read_plan(uow: AbstractUnitOfWork | None, source: Path | bytes, filename: str,
              read: PlanReader) -> ImportResult:
    """A plan file read against this database's unit directory, storing nothing (the
    command line's --dry-run); `uow` None is a database not set up yet: a new office,
    with no units. Raises the reader's and parser's `PlanFileError`."""
    units: list[model.Unit] = []
    if uow is not None:
        with uow:
            units = uow.units.list()
    return parse_blocks(read(source, filename), directory_of(units))


def preview(uow: AbstractUnitOfWork, source: Path | bytes, filename: str, user_id: int,
            read: PlanReader) -> ImportDraft:
    """Read and parse a plan file into a draft; raises the reader's and parser's
    `PlanFileError` (a msgid) when the file is no plan."""
    with uow:
        user = require_monitor(uow, user_id)
        units = uow.units.list()
    result = parse_blocks(read(source, filename), directory_of(units))  # outside the transaction: it may take a while
    draft = from_result(result, {u.name: u.id for u in units}, safe_filename(filename), user.unit_id)
    with uow:
        return flag_used_number(draft, uow.plans.list_with_counts())


def save_draft(uow: AbstractUnitOfWork, draft: ImportDraft, user_id: int, clock: Clock | None = None) -> int:
    now = (clock or SystemClock()).now()
    with uow:
        require_monitor(uow, user_id)
        draft_id = uow.import_drafts.add(user_id, to_storage(now), draft.source_name, draft.to_dict())
        uow.commit()
    draft.id = draft_id
    return draft_id


def load_draft(uow: AbstractUnitOfWork, draft_id: int, user_id: int) -> ImportDraft:
    """The uploader's draft; another person's is NotFound (it is not theirs to see)."""
    with uow:
        require_monitor(uow, user_id)
        row = uow.import_drafts.get(draft_id)
    if row is None or row["created_by"] != user_id:
        raise NotFound(N_("This import draft does not exist, or was already confirmed."))
    return ImportDraft.from_dict(row["data"], draft_id)


def reread_deadline(uow: AbstractUnitOfWork, draft_id: int, user_id: int, text: str,
                    year: Any = None) -> dict[str, Any]:
    """A deadline text of the uploader's draft read as confirm would read it (the
    schedule's dict: a date, a period, a recurrence, or unresolved with its reason)."""
    return read_deadline(load_draft(uow, draft_id, user_id), text, year)


def save_edits(uow: AbstractUnitOfWork, draft_id: int, edits: dict[str, Any], user_id: int) -> None:
    """Keep a person's edits on the draft (after a refused confirm), so a reload keeps them."""
    load_draft(uow, draft_id, user_id)
    with uow:
        uow.import_drafts.update(draft_id, ImportDraft.from_dict(edits).to_dict())
        uow.commit()


def confirm(uow: AbstractUnitOfWork, draft_edits: dict[str, Any], user_id: int, clock: Clock | None = None,
            draft_id: int | None = None) -> int:
    """Create the confirmed new units, store the plan, start its tasks, drop the draft:
    one transaction. Returns the plan's id; raises InvalidInput naming what to fix."""
    clock = clock or SystemClock()
    draft = ImportDraft.from_dict(draft_edits)
    if draft_id is not None:
        load_draft(uow, draft_id, user_id)
    with uow:
        plan, tasks, _ = _settle(uow, draft, user_id)
        plan_id = intake.store_plan(uow, plan, tasks, clock)
        if draft_id is not None:
            uow.import_drafts.delete(draft_id)
        uow.commit()
        return plan_id


def _settle(uow: AbstractUnitOfWork, draft: ImportDraft,
            user_id: int) -> tuple[model.Plan, list[model.PlanTask], dict[str, int]]:
    """Inside the confirm's transaction: the monitor checked, the confirmed new units
    created, the draft as the plan and its tasks, and every unit key's id."""
    require_monitor(uow, user_id)
    unit_ids = {str(u.id): u.id for u in uow.units.list()}
    unit_ids.update(_create_new_units(uow, draft))
    return *plan_and_tasks(draft, unit_ids), unit_ids


def confirm_in_background(uow: AbstractUnitOfWork, draft_edits: dict[str, Any], user_id: int,
                          clock: Clock | None = None, draft_id: int | None = None) -> jobs.JobView:
    """`confirm` for a large plan: check the draft, create the confirmed new units and
    the plan (without tasks) and drop the draft in one short transaction, and queue the
    job that stores and starts the tasks in chunks. Returns the job."""
    clock = clock or SystemClock()
    draft = ImportDraft.from_dict(draft_edits)
    if draft_id is not None:
        load_draft(uow, draft_id, user_id)
    with uow:
        plan, tasks, unit_ids = _settle(uow, draft, user_id)  # every task checked now, stored later
        intake.store_plan_row(uow, plan, tasks, clock)
        job_id = jobs.enqueue(uow, START_TASKS, {"plan_id": plan.id},
                              {"plan_id": plan.id, "draft": draft.to_dict(), "unit_ids": unit_ids},
                              len(tasks), user_id, clock.now())
        if draft_id is not None:
            uow.import_drafts.delete(draft_id)
        uow.commit()
    return jobs.get_job(uow, job_id, user_id)


def start_tasks_chunk(uow: AbstractUnitOfWork, payload: dict[str, Any], done: int, clock: Clock) -> int:
    """The job's chunk: the next CHUNK tasks of the plan stored and started."""
    plan = uow.plans.get(payload["plan_id"])
    if plan is None:
        raise NotFound(N_("This plan does not exist."))
    draft = ImportDraft.from_dict(payload["draft"])
    draft.tasks = draft.tasks[done:done + CHUNK]  # only this chunk's tasks are built
    _, batch = plan_and_tasks(draft, payload["unit_ids"])
    intake.start_tasks(uow, plan, batch, done, clock)
    return done + len(batch)


def _create_new_units(uow: AbstractUnitOfWork, draft: ImportDraft) -> dict[str, int]:
    """The ticked proposals that some task still names, created (or found, when a unit
    of that name exists already): key "new:<n>" -> unit id. A name is checked here, before
    its row: PostgreSQL refuses one past the column mid-transaction (a 500)."""
    created: dict[str, int] = {}
    for index in used_new_units(draft):
        proposal = draft.new_units[index]
        name = limited_text(proposal.get("name"), f"new-{index}-name", NAME)
        if not proposal.get("create") or not name:
            continue
        unit = uow.units.by_name(name)
        if unit is None:
            unit = model.Unit(name=name, aliases=[], kind=proposal.get("kind") or "unit")
            uow.units.add(unit)
            uow.flush()
        created[f"{NEW}{index}"] = unit.id
    return created


def created_unit_names(draft: ImportDraft) -> list[str]:
    """The names of the new units a confirm of this draft creates (for the CLI's report)."""
    return [draft.new_units[i]["name"] for i in used_new_units(draft) if draft.new_units[i].get("create")]


__all__ = ["ImportDraft", "InvalidInput", "confirm", "created_unit_names", "directory_of", "known_units",
           "load_draft", "may_import", "preview", "read_plan", "reread_deadline", "require_monitor", "save_draft",
           "save_edits"]


def importing_user(uow: AbstractUnitOfWork, username: str | None) -> model.User:
    """Who a command-line import acts as: the named user, else the first monitor."""
    with uow:
        if username:
            user = uow.users.by_username(username)
            if user is None:
                raise NotFound(N_("There is no user with this username."))
            return user
        monitors = sorted(uow.users.with_role("monitor"), key=lambda u: u.id)
        if not monitors:
            raise NotFound(N_("No user has the plan monitor role: create one, or name a monitor with --as."))
        return monitors[0]


def confirm_everything(draft: ImportDraft) -> ImportDraft:
    """The draft as confirmed unread (the command line): every proposed unit created."""
    edits = draft.to_dict()
    edits["new_units"] = [{**unit, "create": True} for unit in draft.new_units]
    return ImportDraft.from_dict(edits)
