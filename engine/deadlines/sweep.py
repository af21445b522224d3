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
    done = 0
    while max_batches is None or done < max_batches:
        done += 1
        if not _sweep_batch(uow_factory, clock, now, batch, result):
            break
    return result


def _sweep_batch(uow_factory: Callable[[], AbstractUnitOfWork], clock: Clock, now: datetime, batch: int,
                 result: SweepResult) -> bool:
    """One transaction over up to `batch` due instances; False when none was due."""
    broken: int | None = None
    with uow_factory() as uow:
        due = uow.instances.due_for_timers(to_storage(now), batch)
        if not due:
            return False
        rt = instances.runtime(uow, clock)
        cal = instances.calendar(uow)
        fired = recorded = 0
        try:
            for instance in due:
                broken = instance.id
                f, r = _fire(uow, rt, cal, instance, now)
                fired, recorded = fired + f, recorded + r
            broken = None
            uow.commit()
        except AlreadyDone:
            log.info("a step was completed during the sweep; its instance is swept again")
            return True
        except Exception as error:  # noqa: BLE001 - one bad instance must not stop the clock
            log.exception("timer sweep failed on instance %s", broken)
            uow.rollback()
            failure = error
    if broken is not None:
        _set_aside(uow_factory(), broken, failure, now)
        result.errors += 1
        return True
    result.instances += len(due)
    result.fired += fired
    result.notices += recorded
    return True


def _fire(uow: AbstractUnitOfWork, rt, cal, instance: model.ProcessInstance, now: datetime) -> tuple[int, int]:
    task = uow.tasks.get(instance.plan_task_id)
    try:
        wf = instances.load(uow, rt, instance)
    except Exception as error:  # noqa: BLE001 - an unreadable state is an incident of its own kind
        raise incidents.LoadFailed(error) from error
    events = rt.fire_due_timers(wf)
    instances.save(uow, rt, instance, task, wf, now)  # rewrites next_timer_at
    if instance.next_timer_at is not None and instance.next_timer_at <= to_storage(now):
        # A timer that would not fire: never let it hold the sweep in a loop.
        log.warning("instance %s still has a due timer after firing; retried later", instance.id)
        instance.next_timer_at = to_storage(now + RETRY_BROKEN_AFTER)
    incidents.resolve_timer(uow, instance.id, now)
    return len(events), notices.record(uow, instance, task, events, now, cal)


def fire_now(uow: AbstractUnitOfWork, instance_id: int, user_id: int, clock: Clock | None = None) -> bool:
    """A person's retry of a failing instance: fire what is due now, as the sweep would.
    True if it ran (its incident resolved); False if it failed again (counted)."""
    clock = clock or SystemClock()
    now = clock.now()
    try:
        with uow:
            instance = uow.instances.lock(instance_id)
            _fire(uow, instances.runtime(uow, clock), instances.calendar(uow), instance, now)
            incidents.resolve(uow, instance_id, now, user_id)
            uow.commit()
            return True
    except (AlreadyDone, NotFound):
        raise
    except Exception as error:  # noqa: BLE001 - recorded on the incident, shown on its page
        _set_aside(uow, instance_id, error, now)
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
