"""Serialize a BpmnWorkflow without its spec.

The spec is the same for every instance of a process version, so storing it in each
row would double the size and the time (engine-notes). A converter registered for
BpmnWorkflow writes the spec's name instead, and builds the workflow back from a
ProcessSpec the caller got from SpecCache.

Two versions are stored, apart: STATE_VERSION is planflow's own layout (the spec left
out, `spec_name` instead), SERIALIZER_VERSION is SpiffWorkflow's serialization format
("1.5"), which changes far more rarely than its releases. Text written in an older
SpiffWorkflow format is brought up to date on load by SpiffWorkflow's own migrations
(given the spec they read, then dropped again); a text neither can read is refused
with IncompatibleState, never half-read.

Layout planflow-2 (planflow-1 plus): each task leaves out what the rest of the text
already says (its id is its key in `tasks`, its parent lists it among its children,
its typename is `Task`) and fields at SpiffWorkflow's defaults (no data, no change to
its parent's data, not triggered, no internal data), and the JSON has no spaces: half
the size. On load they are put back first, so SpiffWorkflow's converters and
migrations read the text as SpiffWorkflow wrote it; planflow-1 text loads as it is.
"""
from __future__ import annotations

import json
import re
import threading
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT

from .specs import ProcessSpec, connect_loop_merges

STATE_VERSION = "planflow-2"  # planflow's layout of the text: bump it when that layout changes
_READABLE = ("planflow-1", STATE_VERSION)  # layouts `loads` reads (planflow-1: every task field written)
SERIALIZER_VERSION = SPIFF_FORMAT  # SpiffWorkflow's serialization format, as it writes it
_VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
_STATE_KEY = "planflow_state"
# Until state and format were stored apart, one key held both, naming the release that
# wrote it; SpiffWorkflow 3.2.x writes format 1.5.
_COMBINED = re.compile(r"(planflow-\d+)\+spiff-3\.2\.\d+$")
_COMBINED_FORMAT = "1.5"


class IncompatibleState(Exception):
    """The stored text was written by another serializer version or for another process."""


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct[_STATE_KEY] = STATE_VERSION
        dct["spec_name"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        for tasks in _task_mappings(dct):
            _leave_out_said(tasks)
        return dct

    def from_dict(self, dct: dict, spec: ProcessSpec | None = None) -> BpmnWorkflow:
        if spec is None:
            raise IncompatibleState("A spec-free workflow needs its ProcessSpec to be loaded.")
        if dct.pop("spec_name", None) != spec.top.name:
            raise IncompatibleState("The stored workflow belongs to another process.")
        connect_loop_merges(spec)  # what Spiff's own spec converter wires on restore
        workflow = self.target_class(spec.top, spec.subprocesses, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_TASK_DEFAULTS = {"typename": "Task", "data": {}, "triggered": False, "internal_data": {}}
_NO_DELTA = {"updates": {}, "deletions": []}  # a child task's data is its parent's


def _task_mappings(dct: dict) -> list[dict]:
    """The `tasks` of a workflow's dict and of each of its subprocesses'."""
    return [dct["tasks"], *(sub["tasks"] for sub in dct.get("subprocesses", {}).values())]


def _parents(tasks: dict) -> dict[str, str]:
    return {child: task_id for task_id, task in tasks.items() for child in task["children"]}


def _leave_out_said(tasks: dict) -> None:
    """planflow-1 → planflow-2: drop from each task what the text says elsewhere or
    SpiffWorkflow's default; `_put_back_said` restores it exactly."""
    parents = _parents(tasks)
    for task_id, task in tasks.items():
        if task.get("id") == task_id:
            del task["id"]
        if task.get("parent") == parents.get(task_id):
            del task["parent"]
        if task.get("delta") == ({} if parents.get(task_id) is None else _NO_DELTA):
            del task["delta"]
        for name, default in _TASK_DEFAULTS.items():
            if name in task and task[name] == default:
                del task[name]


def _put_back_said(tasks: dict) -> None:
    parents = _parents(tasks)
    for task_id, task in tasks.items():
        task.setdefault("id", task_id)
        task.setdefault("parent", parents.get(task_id))
        task.setdefault("delta", {} if task["parent"] is None else dict(_NO_DELTA))
        for name, default in _TASK_DEFAULTS.items():
            task.setdefault(name, type(default)(default) if isinstance(default, dict) else default)


class _CompactEncoder(json.JSONEncoder):
    """JSON without the spaces after separators (a tenth of the text)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["separators"] = (",", ":")
        super().__init__(*args, **kwargs)


def _new_serializer() -> BpmnWorkflowSerializer:
    config = {**DEFAULT_CONFIG, BpmnWorkflow: SpecFreeWorkflowConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION,
                                  json_encoder_cls=_CompactEncoder)


def _migrate(dct: dict, spiff_format: str | None, spec: ProcessSpec) -> None:
    """Bring a text of an older SpiffWorkflow format up to date with SpiffWorkflow's own migrations.

    They read the task specs, which planflow leaves out of the text: the spec is put in
    (as SpiffWorkflow would have written it) for them, and taken out again."""
    migration = MIGRATIONS.get(spiff_format or "")
    if migration is None:
        raise IncompatibleState(f"Stored in SpiffWorkflow format {spiff_format!r}, which this one cannot read.")
    registry = _serializer().registry
    dct["spec"] = registry.convert(spec.top)
    dct["subprocess_specs"] = {name: registry.convert(sub) for name, sub in spec.subprocesses.items()}
    try:
        migration(dct)
    except Exception as error:  # their migration failed on this text: it cannot be read safely
        raise IncompatibleState(f"SpiffWorkflow could not migrate format {spiff_format!r}: {error!r}") from error
    finally:
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        dct.pop("VERSION", None)  # some migrations leave their target version behind


# The registry flips an "encoder mode" flag while serializing: one serializer per thread.
_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    if not hasattr(_local, "serializer"):
        _local.serializer = _new_serializer()
    return _local.serializer


def spec_registry():
    """The converters of SpiffWorkflow's task specs, for its diff of two versions (bpmn/util/diff)."""
    return _serializer().registry


def dumps(workflow: BpmnWorkflow) -> str:
    return _serializer().serialize_json(workflow)


def versions(text: str) -> tuple[str | None, str | None]:
    """(planflow state version, SpiffWorkflow format) of a stored text."""
    return _versions(json.loads(text))


def _versions(dct: dict) -> tuple[str | None, str | None]:
    combined = _COMBINED.match(str(dct.get(_VERSION_KEY)))
    if combined:
        return combined.group(1), _COMBINED_FORMAT
    return dct.get(_STATE_KEY), dct.get(_VERSION_KEY)


def full_dict(text: str) -> dict:
    """A stored text as a dict with every task field, as SpiffWorkflow's converters write
    them (for code that reads or edits tasks in the text itself); `loads` reads it back."""
    dct = json.loads(text)
    if _versions(dct)[0] not in (None, "planflow-1"):
        for tasks in _task_mappings(dct):
            _put_back_said(tasks)
    return dct


def loads(spec: ProcessSpec, text: str, script_engine: PythonScriptEngine | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from `dumps` text; the script engine is not stored, so attach one."""
    dct = json.loads(text)  # a fresh dict: from_dict mutates what it is given
    state, spiff_format = _versions(dct)
    dct.pop(_VERSION_KEY, None)
    dct.pop(_STATE_KEY, None)
    if state not in _READABLE:
        raise IncompatibleState(f"Stored as planflow state {state!r}, this is {STATE_VERSION!r}.")
    if state != "planflow-1":
        for tasks in _task_mappings(dct):
            _put_back_said(tasks)
    if spiff_format != SERIALIZER_VERSION:
        _migrate(dct, spiff_format, spec)
    workflow = _serializer().from_dict(dct, spec=spec)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow
