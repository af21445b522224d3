"""Serialize a BpmnWorkflow without its spec.

The spec is the same for every instance of a process version, so storing it in each
row would double the size and the time (engine-notes). A converter registered for
BpmnWorkflow writes the spec's name instead, and builds the workflow back from a
ProcessSpec the caller got from SpecCache. SERIALIZER_VERSION is stored in the text
and in its own column; a text of another version is refused, never half-read.
"""
from __future__ import annotations

import json
import threading
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.version import __version__ as SPIFF_VERSION

from .specs import ProcessSpec, connect_loop_merges

SERIALIZER_VERSION = f"planflow-1+spiff-{SPIFF_VERSION}"
_VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY


class IncompatibleState(Exception):
    """The stored text was written by another serializer version or for another process."""


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["spec_name"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
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


def _new_serializer() -> BpmnWorkflowSerializer:
    config = {**DEFAULT_CONFIG, BpmnWorkflow: SpecFreeWorkflowConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


# The registry flips an "encoder mode" flag while serializing: one serializer per thread.
_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    if not hasattr(_local, "serializer"):
        _local.serializer = _new_serializer()
    return _local.serializer


def dumps(workflow: BpmnWorkflow) -> str:
    return _serializer().serialize_json(workflow)


def loads(spec: ProcessSpec, text: str, script_engine: PythonScriptEngine | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from `dumps` text; the script engine is not stored, so attach one."""
    dct = json.loads(text)  # a fresh dict: from_dict mutates what it is given
    version = dct.pop(_VERSION_KEY, None)
    if version != SERIALIZER_VERSION:
        raise IncompatibleState(f"Stored with serializer {version!r}, this is {SERIALIZER_VERSION!r}.")
    workflow = _serializer().from_dict(dct, spec=spec)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow
