"""The process designer's services: validate BPMN, save and deploy versions, migrate instances.

A save never touches running instances: it stores a new, non-live version. Deploying
makes a version the one new tasks start on; each instance keeps the version it started
with until a designer migrates it (`engine.migration`). Script and service tasks are
always refused: planflow runs no code a designer writes (there is no "trusted" mark).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine import model, processes
from engine.clock import Clock, SystemClock, to_storage
from engine.errors import N_, InvalidInput, NotFound
from engine.migration import MigrationReport, Stayed, migrate
from engine.process_checks import validate
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import InvalidProcess, Problem

__all__ = [
    "MigrationReport", "Stayed", "VersionView", "deploy", "get_version", "list_versions", "migrate",
    "save_version", "validate",
]

MAX_COMMENT = 500


@dataclass(frozen=True)
class VersionView:
    id: int
    number: int
    comment: str
    created_by: str | None
    created_at: datetime | None
    is_live: bool
    instances: int  # running instances on this version


def save_version(uow: AbstractUnitOfWork, xml: str | bytes, user_id: int, comment: str = "",
                 clock: Clock | None = None) -> int:
    """Store `xml` as the next version (not live); raise InvalidProcess with every problem."""
    problems = validate(xml)
    if problems:
        raise InvalidProcess(problems)
    try:
        text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    except UnicodeDecodeError as error:  # well-formed in another encoding: we store UTF-8 text
        raise InvalidProcess([Problem(None, N_("The file is not UTF-8 text: save it as UTF-8."))]) from error
    now = (clock or SystemClock()).now()
    with uow:
        # The shipped file is version 1: make sure it exists before numbering ours.
        processes.ensure_live_version(uow, now)
        latest = uow.process_versions.for_key(processes.PROCESS_KEY)[0]
        version = model.ProcessVersion(
            process_key=processes.PROCESS_KEY, number=latest.number + 1, bpmn_xml=text,
            comment=comment.strip()[:MAX_COMMENT], created_by=user_id, created_at=to_storage(now),
        )
        uow.process_versions.add(version)
        uow.commit()
        return version.id


def deploy(uow: AbstractUnitOfWork, version_id: int, user_id: int) -> None:
    """Make `version_id` the version new tasks start on; running instances keep theirs."""
    with uow:
        version = _version(uow, version_id)
        # Checked again: the rules may have grown since the version was saved.
        if validate(version.bpmn_xml):
            raise InvalidInput({"version": N_("This version has problems; fix them and save a new version.")})
        for other in uow.process_versions.for_key(version.process_key):
            other.is_live = False
        uow.flush()  # never two live versions, even for a moment
        version.is_live = True
        uow.commit()


def list_versions(uow: AbstractUnitOfWork) -> list[VersionView]:
    """Every version, newest first, with its running instances counted in one query."""
    with uow:
        processes.ensure_live_version(uow, SystemClock().now())
        uow.commit()
        versions = uow.process_versions.for_key(processes.PROCESS_KEY)
        counts = uow.process_versions.instance_counts(processes.PROCESS_KEY)
        names = uow.users.names(v.created_by for v in versions if v.created_by)
        return [
            VersionView(id=v.id, number=v.number, comment=v.comment, created_by=names.get(v.created_by),
                        created_at=v.created_at, is_live=v.is_live, instances=counts.get(v.id, 0))
            for v in versions
        ]


def get_version(uow: AbstractUnitOfWork, version_id: int | None = None) -> model.ProcessVersion:
    """A version by id, or the live one when `version_id` is None."""
    with uow:
        if version_id is None:
            version = processes.ensure_live_version(uow, SystemClock().now())
            uow.commit()
            return version
        return _version(uow, version_id)


def _version(uow: AbstractUnitOfWork, version_id: int) -> model.ProcessVersion:
    version = uow.process_versions.get(version_id)
    if version is None:
        raise NotFound(N_("Process version not found."))
    return version
