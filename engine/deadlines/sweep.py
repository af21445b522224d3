"""The timer sweep: fire the BPMN timers whose time has come, record their notices.

Every save writes an instance's next timer time to the indexed column
`process_instances.next_timer_at`; the sweep reads only the rows whose time is at or
before now (`uow.instances.due_for_timers`, oldest first, `FOR UPDATE SKIP LOCKED`
on PostgreSQL), so its cost grows with the timers due, not with the instances open.
Several workers may sweep at once: each locks the rows it takes and the others skip
them; the notices' unique key is the second fence. Each batch is one transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices
from engine.errors import AlreadyDone, NotFound
from engine.process import incidents, instances
from engine.tasks import arrivals
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

BATCH = 20
RETRY_BROKEN_AFTER = timedelta(hours=1)


@dataclass
class SweepResult:
    instances: int = 0  # instances loaded and saved
    fired: int = 0  # notice events the timers produced
    notices: int = 0  # notices recorded (new rows)
    errors: int = 0

    def __str__(self) -> str:
        return f"instances={self.instances} fired={self.fired} notices={self.notices} errors={self.errors}"


def sweep(uow_factory: Callable[[], AbstractUnitOfWork], clock: Clock | None = None,
          batch: int = BATCH, max_batches: int | None = None) -> SweepResult:
    """Fire every due timer, batch by batch, until none is due (or `max_batches`).

    Back after days down, an instance fires every rung past since, at once: its
    notices are merged, one per recipient, saying how late the step is now."""
    clock = clock or SystemClock()
    now = clock.now()
    result = SweepResult()
    done = alone = 0
    while max_batches is None or done < max_batches:
        done += 1
        # After a batch failed where no one instance was to blame, its instances go one
        # per batch, so that the one that fails is found and set aside.
        outcome = _sweep_batch(uow_factory, clock, now, 1 if alone else batch, result)
        if outcome is None:
            break
        alone = outcome if outcome else max(0, alone - 1)
    return result


class _Failed(Exception):
    """Firing a batch failed; `instance_id` is the instance to blame, if one is."""

    def __init__(self, error: BaseException, instance_id: int | None) -> None:
        super().__init__(str(error))
        self.error, self.instance_id = error, instance_id


def _sweep_batch(uow_factory: Callable[[], AbstractUnitOfWork], clock: Clock, now: datetime, batch: int,
                 result: SweepResult) -> int | None:
    """One transaction over up to `batch` due instances: None when none was due, else
    0, or how many instances to sweep one by one (a failure no one of them was blamed for)."""
    with uow_factory() as uow:
        due = uow.instances.due_for_timers(to_storage(now), batch)
        if not due:
            return None
        cal = instances.calendar(uow)
        try:
            fired, recorded = _fire(uow, instances.runtime(uow, clock, cal), cal, due, now)
            uow.commit()
            result.instances += len(due)
            result.fired += fired
            result.notices += recorded
            return 0
        except AlreadyDone:
            log.info("a step was completed during the sweep; its instance is swept again")
            return 0
        except Exception as error:  # noqa: BLE001 - one bad instance must not stop the clock
            failure = error if isinstance(error, _Failed) else _Failed(error, due[0].id if len(due) == 1 else None)
            log.error("timer sweep failed on instance %s", failure.instance_id, exc_info=failure.error)
            uow.rollback()
    if failure.instance_id is None:
        return len(due)
    _set_aside(uow_factory(), failure.instance_id, failure.error, now)
    result.errors += 1
    return 0


def _fire(uow: AbstractUnitOfWork, rt, cal, due: list[model.ProcessInstance], now: datetime) -> tuple[int, int]:
    """Fire the due timers of `due`, write them back; (notice events, new notices).

    The statements do not grow with the batch: its tasks and plans, work items and
    incidents are read in one query each, the instances fired one by one in memory,
    then written together (the instances, the work items by difference, the
    arrivals and the notices, one statement each)."""
    current: int | None = None
    try:
        tasks = uow.tasks.with_plans(i.plan_task_id for i in due)
        ready = uow.work_items.ready_for_instances(i.id for i in due)
        open_incidents = uow.incidents.open_for_instances(i.id for i in due)
        told = notices.Batch(uow, now, cal)
        arrived: list[tuple[model.PlanTask, list[model.WorkItem]]] = []
        fired = 0
        for instance in due:
            current = instance.id
            task, _ = tasks[instance.plan_task_id]
            try:
                wf = instances.load(uow, rt, instance)
            except Exception as error:  # noqa: BLE001 - an unreadable state is an incident of its own kind
                raise incidents.LoadFailed(error) from error
            events, waiting = rt.fire_due_timers_with_steps(wf)
            instances.store(rt, instance, task, wf, now)  # rewrites next_timer_at
            rt.release(wf)  # a batch's task trees would make the collector run three times as often
            if instance.next_timer_at is not None and instance.next_timer_at <= to_storage(now):
                # A timer that would not fire: never let it hold the sweep in a loop.
                log.warning("instance %s still has a due timer after firing; retried later", instance.id)
                instance.next_timer_at = to_storage(now + RETRY_BROKEN_AFTER)
            items = ready[instance.id]
            new = instances.sync_work_items(instance, waiting, items, now)
            arrived.append((task, new))
            incidents.resolve_timer_of(uow, open_incidents.get(instance.id), now)
            told.add(instance, task, events, items + new)
            fired += len(events)
        current = due[0].id if len(due) == 1 else None
        uow.instances.write_states(due)
        uow.work_items.add_many([item for _, new in arrived for item in new])
        uow.flush()
        arrivals.steps_arrived(uow, arrived, now)  # whoever gets a step is told
        return fired, told.write()
    except AlreadyDone:
        raise
    except Exception as error:  # noqa: BLE001 - one bad instance must not stop the clock
        raise _Failed(error, current) from error


def fire_now(uow: AbstractUnitOfWork, instance_id: int, user_id: int, clock: Clock | None = None) -> bool:
    """A person's retry of a failing instance: fire what is due now, as the sweep would.
    True if it ran (its incident resolved); False if it failed again (counted)."""
    clock = clock or SystemClock()
    now = clock.now()
    try:
        with uow:
            instance = uow.instances.lock(instance_id)
            if instance is None:
                return False  # nothing to fire (its incident, if any, stays for a person)
            cal = instances.calendar(uow)
            _fire(uow, instances.runtime(uow, clock, cal), cal, [instance], now)
            incidents.resolve(uow, instance_id, now, user_id)
            uow.commit()
            return True
    except (AlreadyDone, NotFound):
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the incident, shown on its page
        _set_aside(uow, instance_id, error.error if isinstance(error, _Failed) else error, now)
        return False


def _set_aside(uow: AbstractUnitOfWork, instance_id: int, error: BaseException, now: datetime) -> None:
    """Record the failure as the instance's incident and try it again after a growing
    pause, so the others of its batch go on; after the last pause a person retries."""
    load = isinstance(error, incidents.LoadFailed)
    cause = error.__cause__ if load and error.__cause__ else error
    with uow:
        instance = uow.instances.lock(instance_id)
        if instance is None:
            return
        row = incidents.record(uow, instance.id, instance.plan_task_id, "load" if load else "timer",
                               None if load else incidents.element_of(cause), cause, now)
        retry = incidents.timer_retry_at(row["attempts"], now)
        instance.next_timer_at = to_storage(retry) if retry else None
        uow.commit()
