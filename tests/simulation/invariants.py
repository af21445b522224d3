"""What must hold after every simulated day, whatever happened during it.

1. Every rung fired for an active step has told each of its recipients exactly once
   since the step became active (a merged notice covers the rungs it names).
2. When the scheduler has swept, no armed rung is due; `next_timer_at` is always the
   earliest armed rung (never NULL while a dated rung waits).
3. No instance is stuck: every open instance has a ready step, and the inbox index
   holds exactly the workflow's ready steps.
4. Every completed step's input is stored in the history.
5. The dashboard's counts equal the counts recomputed from the audit trail.
6. Each plan's groups of tasks by dates and status, as `plan_task_counts` keeps them for
   the dashboard (its rows summed, folded or not), are its tasks' groups.
7. However many schedulers ran, no mail left twice (a notice's or an arrival's by its
   Message-ID, a digest by its recipient and text), and after their round no mail whose
   time had come is still waiting. (A timer fired twice would tell someone twice: 1.)
8. On the first of each month, every person's inbox counts and filter choices, as the
   count rows keep them (folded by the schedulers or not), are what the ready work items
   say (`tests/support/inbox_check.py`; monthly, as it reads every inbox under every
   filter: a fold that lost a sum stays wrong until that key changes).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.util.task import TaskState

from adapters.storage import orm
from engine.clock import from_storage, to_storage
from engine.deadlines.recipients import recipients
from engine.process import instances
from engine.workflow.runtime import _extensions
from engine.workflow.timer_functions import FAR_FUTURE_YEAR
from tests.support.inbox_check import check_every_inbox
from tests.support.office_invariants import dashboard_agrees, inputs_stored, not_stuck, plan_groups_kept

if TYPE_CHECKING:
    from tests.simulation.office_year import OfficeYear


def check(world: OfficeYear, day: date, since: datetime) -> list[str]:
    """The problems of `day`. The instances saved since `since` (naive UTC) are loaded
    and checked in full (one not saved has not changed); the checks over every
    instance (a rung left due after a sweep, the dashboard) are single queries."""
    problems: list[str] = []
    i = orm.process_instances
    changed = world.rows(select(i.c.id).where(i.c.status == "running", i.c.updated_at >= since))
    with world.uow() as uow:
        rt = instances.runtime(uow, world.clock)
        notices_told = _notice_lines(world, changed)
        for instance in map(uow.instances.get, changed):
            task = uow.tasks.get(instance.plan_task_id)
            wf = instances.load(uow, rt, instance)
            problems += _rungs_told(uow, instance, task, wf, notices_told.get(instance.id, []))
            problems += _timers_armed(instance, wf)
            problems += not_stuck(uow, instance, rt, wf)
        problems += _swept(world)
        problems += inputs_stored(world, since)
        problems += dashboard_agrees(world, uow, day)
    problems += plan_groups_kept(world)
    problems += _mailed_once(world)
    problems += _inboxes_kept(world, day)
    return problems


def _notice_lines(world: OfficeYear, instance_ids: list[int]) -> dict[int, list[dict]]:
    """The history lines of the notices of these instances, by instance."""
    a = orm.audit_events
    lines: dict[int, list[dict]] = {}
    with world.storage.engine.connect() as conn:
        for row in conn.execute(select(a).where(a.c.action.like("notice_%"), a.c.instance_id.in_(instance_ids))):
            lines.setdefault(row.instance_id, []).append(dict(row._mapping))
    return lines


def _rungs_told(uow, instance, task, wf, audit) -> list[str]:
    problems = []
    for timer in _timers(wf):
        if timer.state != TaskState.COMPLETED:
            continue
        rung = next((c.task_spec.extensions.get("notice") for c in timer.children
                     if getattr(c.task_spec, "extensions", None)), None)
        step = _attached(timer)
        if rung is None or step is None or step.state not in (TaskState.READY, TaskState.STARTED):
            continue  # the step has moved on: its ladder is history
        due_name = _extensions(step).get("due") or "due"
        due = timer.data.get(due_name)
        holders = ([c for c in step.children if c.task_spec.name == step.task_spec.task_spec
                    and c.state == TaskState.READY and c.data.get(due_name) == due]
                   if isinstance(step.task_spec, MultiInstanceTask) else [step])
        for holder_task in holders:
            item = uow.work_items.for_step(instance.id, str(holder_task.id))
            since = item.created_at
            for user in recipients(uow.users, rung, task, item):
                told = [a for a in audit if a["action"].startswith("notice_") and a["instance_id"] == instance.id
                        and a["step_id"] == step.task_spec.bpmn_id and a["at"] >= since
                        and (a["detail"] or {}).get("due") == (str(due)[:10] if due else None)
                        and rung in ((a["detail"] or {}).get("rungs") or [(a["detail"] or {}).get("rung")])
                        and user.id in (a["detail"] or {}).get("recipient_ids", [])]
                if len(told) != 1:
                    problems.append(f"task {task.id} step {step.task_spec.bpmn_id} rung {rung}: "
                                    f"{user.username} told {len(told)} times")
    return problems


def _timers_armed(instance, wf) -> list[str]:
    armed = [TimerEventDefinition.get_datetime(t.internal_data["event_value"]).astimezone(timezone.utc)
             for t in _timers(wf) if t.state == TaskState.WAITING and isinstance(t.internal_data.get("event_value"), str)]
    earliest = min((at for at in armed if at.year < FAR_FUTURE_YEAR), default=None)
    stored = from_storage(instance.next_timer_at)
    if stored != earliest:
        return [f"instance {instance.id}: next_timer_at {stored} but the earliest armed rung is {earliest}"]
    return []


def _swept(world: OfficeYear) -> list[str]:
    """After a sweep, no running instance has a rung due by then (the column is the truth,
    checked against each workflow when it was saved)."""
    if world.swept_at is None or world.down_until is not None:
        return []
    i = orm.process_instances
    late = world.rows(select(i.c.id).where(i.c.status == "running", i.c.next_timer_at <= to_storage(world.swept_at)))
    return [f"instances {late}: a rung due by {world.swept_at} is still armed after the sweep"] if late else []


def _mailed_once(world: OfficeYear) -> list[str]:
    sent = Counter(m.message_id or (m.to, m.body_text) for m in world.settings.kept.sent)
    problems = [f"mail {mail} sent {n} times" for mail, n in sent.items() if n > 1]
    if world.swept_at is None or world.down_until is not None:
        return problems
    waiting = [row for t in (orm.notices, orm.arrivals) for row in world.rows(select(t.c.id).where(
        t.c.email_state == "pending", t.c.next_attempt_at <= to_storage(world.swept_at)))]
    if waiting:
        problems.append(f"mails {waiting} due by {world.swept_at} still pending after the schedulers ran")
    return problems


def _inboxes_kept(world: OfficeYear, day: date) -> list[str]:
    if day.day != 1:
        return []
    try:
        check_every_inbox(world, day)
    except AssertionError as error:
        return [f"an inbox's counts or choices are not its ready work items': {error}"]
    return []


def _timers(wf):
    return [t for t in wf.get_tasks() if isinstance(t.task_spec, CatchingEvent)
            and isinstance(t.task_spec.event_definition, TimerEventDefinition)]


def _attached(timer):
    split = timer.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return None
    activity = split.task_spec.outputs[0]
    return next((t for t in split.children if t.task_spec is activity), None)
