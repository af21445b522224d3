"""The process designer's services: validate BPMN, save and deploy versions, migrate instances.

A save never touches running instances: it stores a new, non-live version. Deploying
makes a version the one new tasks start on; each instance keeps the version it started
with until a designer migrates it (`engine.process.instance_migration`). Script and service tasks are
always refused: planflow runs no code a designer writes (there is no "trusted" mark).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_, InvalidInput, NotFound
from engine.process import checks, foreign, instances
from engine.process.instance_migration import InstancePreview, MigrationReport, Stayed, migrate, preview
from engine.text_limits import limited_text
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import InvalidProcess, Problem
from engine.workflow.specs import MAX_BPMN_BYTES

__all__ = [
    "InstancePreview", "MigrationReport", "Stayed", "VersionView", "adopted", "deploy", "get_version", "history",
    "list_versions", "live_processes", "migrate", "open_diagram", "preview", "read_bpmn", "save_checked",
    "save_version", "validate",
]

DEFAULT_PROCESS = instances.PROCESS_KEY

MSG_NOT_UTF8 = N_("The file is not UTF-8 text: save it as UTF-8.")
DECLARED_ENCODING = re.compile(r"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
REPLACEMENT_CHARACTER = "\ufffd"  # what a client that decoded non-UTF-8 bytes as UTF-8 sends instead


def read_bpmn(data: str | bytes) -> str:
    """The diagram's text, whichever way it came (upload page, JSON API, the modeler's Open):
    one size rule and one encoding rule for all of them, so none is a way around the other."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_BPMN_BYTES:
        raise InvalidProcess([Problem(None, N_("The BPMN file is too large."))])
    try:
        text = raw.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise InvalidProcess([_encoding_problem(raw[:error.start].decode("utf-8", "replace"))]) from error
    if REPLACEMENT_CHARACTER in text:
        raise InvalidProcess([_encoding_problem(text[:text.index(REPLACEMENT_CHARACTER)])])
    declared = DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        # The XML parser would believe the declaration and read the UTF-8 text as something else.
        raise InvalidProcess([Problem(None, MSG_NOT_UTF8, line=1, column=declared.start(1) + 1)])
    return text


def _encoding_problem(before: str) -> Problem:
    # Where the first bad character is (`before` is the text up to it), so the designer can find it.
    line = before.count("\n") + 1
    return Problem(None, MSG_NOT_UTF8, line=line, column=len(before) - (before.rfind("\n") + 1) + 1)


def adopted(data: str | bytes) -> str:
    """A file from outside (the modeler's Open, the upload page), checked and made planflow's."""
    return foreign.adopt(read_bpmn(data))


def open_diagram(data: str | bytes, uow: AbstractUnitOfWork | None = None) -> tuple[str, list[Problem]]:
    """A diagram to draw in the modeler (its Open): the text, made planflow's where another
    modeler drew it (engine.process.foreign), and its problems, to mark them on the canvas;
    raise InvalidProcess when there is nothing to draw (not XML, not BPMN)."""
    text = adopted(data)
    problems = validate(text, uow)
    unreadable = [p for p in problems if p.message in checks.UNREADABLE]
    if unreadable:
        raise InvalidProcess(unreadable)
    return text, problems


def validate(xml: str | bytes, uow: AbstractUnitOfWork | None = None) -> list[Problem]:
    """Every problem of a diagram (errors and warnings), whichever way it came in; with a
    unit of work, its call activities are checked against the processes deployed there."""
    try:
        text = read_bpmn(xml)
    except InvalidProcess as invalid:
        return list(invalid.problems)
    return checks.validate(text, _called(uow, text) if uow is not None else ())


def _called(uow: AbstractUnitOfWork, text: str) -> list[str]:
    with uow:
        return instances.called_diagrams(uow, text)


@dataclass(frozen=True)
class VersionView:
    id: int
    number: int
    comment: str
    created_by: str | None
    created_at: datetime | None
    is_live: bool
    instances: int  # running instances on this version
    process_key: str = DEFAULT_PROCESS


def save_version(uow: AbstractUnitOfWork, xml: str | bytes, user_id: int, comment: str = "",
                 clock: Clock | None = None) -> int:
    """Store `xml` as the next version (not live); raise InvalidProcess with every problem."""
    return save_checked(uow, xml, user_id, comment, clock)[0]


def save_checked(uow: AbstractUnitOfWork, xml: str | bytes, user_id: int, comment: str = "",
                 clock: Clock | None = None) -> tuple[int, list[Problem]]:
    """Store `xml` as the next version (not live): its id, and the warnings the designer accepted.

    Warnings (e.g. an element no path reaches) do not stop a save: the designer sees them
    and may accept them; errors (what would fail on a real task) raise InvalidProcess."""
    comment = limited_text(comment, "comment")  # refused when too long, never cut without a word
    text = read_bpmn(xml)
    problems = checks.validate(text, _called(uow, text))
    if any(problem.is_error for problem in problems):
        raise InvalidProcess(problems)
    now = (clock or SystemClock()).now()
    key = checks.process_id(text) or instances.PROCESS_KEY  # any process id: each has its own versions
    with uow:
        if key == instances.PROCESS_KEY:
            # The shipped file is version 1: make sure it exists before numbering ours.
            instances.ensure_live_version(uow, now)
        earlier = uow.process_versions.for_key(key)
        version = model.ProcessVersion(
            process_key=key, number=earlier[0].number + 1 if earlier else 1, bpmn_xml=text,
            comment=comment, created_by=user_id, created_at=to_storage(now),
        )
        uow.process_versions.add(version)
        uow.commit()
        return version.id, problems


def deploy(uow: AbstractUnitOfWork, version_id: int, user_id: int, clock: Clock | None = None) -> None:
    """Make `version_id` the version new tasks start on; running instances keep theirs."""
    now = (clock or SystemClock()).now()
    with uow:
        version = _version(uow, version_id)
        # Checked again: the rules may have grown since the version was saved.
        called = instances.called_diagrams(uow, version.bpmn_xml)
        if any(problem.is_error for problem in checks.validate(version.bpmn_xml, called)):
            raise InvalidInput({"version": N_("This version has problems; fix them and save a new version.")})
        previous = uow.process_versions.live(version.process_key)
        for other in uow.process_versions.for_key(version.process_key):
            other.is_live = False
        uow.flush()  # never two live versions, even for a moment
        version.is_live = True
        uow.process_versions.record({
            "process_key": version.process_key, "action": "deployed", "at": to_storage(now), "actor_user_id": user_id,
            "from_version_id": previous.id if previous else None, "to_version_id": version.id, "detail": {},
        })
        uow.commit()


def history(uow: AbstractUnitOfWork, process_key: str | None = None) -> list[dict]:
    """Deploys and migration batches of a process (of every process when None), newest first."""
    with uow:
        return uow.process_versions.history(process_key)


def list_versions(uow: AbstractUnitOfWork, process_key: str | None = None) -> list[VersionView]:
    """The library: every version of `process_key` (of every process when None), newest first
    within each process, with its running instances counted in one query per process."""
    with uow:
        instances.ensure_live_version(uow, SystemClock().now())
        uow.commit()
        views = []
        for key in [process_key] if process_key else uow.process_versions.keys():
            versions = uow.process_versions.for_key(key)
            counts = uow.process_versions.instance_counts(key)
            names = uow.users.names(v.created_by for v in versions if v.created_by)
            views += [
                VersionView(id=v.id, number=v.number, comment=v.comment, created_by=names.get(v.created_by),
                            created_at=v.created_at, is_live=v.is_live, instances=counts.get(v.id, 0),
                            process_key=key)
                for v in versions
            ]
        return views


def live_processes(uow: AbstractUnitOfWork) -> list[str]:
    """The processes a plan or a task may follow: those with a deployed version."""
    with uow:
        instances.ensure_live_version(uow, SystemClock().now())
        uow.commit()
        return [key for key in uow.process_versions.keys() if uow.process_versions.live(key) is not None]


def get_version(uow: AbstractUnitOfWork, version_id: int | None = None) -> model.ProcessVersion:
    """A version by id, or the live one when `version_id` is None."""
    with uow:
        if version_id is None:
            version = instances.ensure_live_version(uow, SystemClock().now())
            uow.commit()
            return version
        return _version(uow, version_id)


def _version(uow: AbstractUnitOfWork, version_id: int) -> model.ProcessVersion:
    version = uow.process_versions.get(version_id)
    if version is None:
        raise NotFound(N_("Process version not found."))
    return version
