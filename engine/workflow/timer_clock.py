"""A controllable clock for SpiffWorkflow's timers, for tests and the demo loader.

SpiffWorkflow asks `datetime.now(timezone.utc)` inside
`SpiffWorkflow.bpmn.specs.event_definitions.timer` whenever it checks a timer (in
`refresh_timers` and at the end of every `do_engine_steps`). It offers no clock hook,
so the only way to move its time is to replace that module's `datetime` name with a
subclass whose `now()` we control. This patches a module global: use it in tests
and single-threaded commands (`planflow demo load`), never in a server with threads.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        self.at = _aware(at)

    def move_to(self, at: datetime) -> None:
        self.at = _aware(at)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("frozen_now needs an aware datetime")
    return at


@contextmanager
def frozen_now(at: datetime) -> Iterator[FrozenClock]:
    """Within the block, SpiffWorkflow's timers see `clock.at` as now; `clock.move_to` moves it."""
    clock = FrozenClock(at)

    class _FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001 - mirrors datetime.now
            return clock.at.astimezone(tz or timezone.utc)

    original = spiff_timer.datetime
    spiff_timer.datetime = _FrozenDatetime
    try:
        yield clock
    finally:
        spiff_timer.datetime = original
