"""Two writers of one instance at the same moment: both contributions of a parallel
step are kept, the only conflict a person sees is a 409 on the very same step, and a
person completing a step while the sweep holds the instance waits for it, then wins.

Threads against the service layer on real PostgreSQL (and SQLite), each with its own
unit of work, released together by a barrier so their transactions overlap.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from adapters.storage import orm
from engine import model
from engine.clock import SystemClock
from engine.deadlines import sweep
from engine.errors import AlreadyDone
from engine.process import instances
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import office_clock
from tests.support.office import CBTH, KSTTHC, TTPV, make_office

PAIRS = 50
AT_ONCE = 5  # pairs racing together: ten writers, within the connection pool
HEADS = {TTPV: "giamdoc.ttpv", CBTH: "giamdoc.cbth"}


@pytest.fixture
def office(office_on_each_database):
    return office_on_each_database


def _coordinating_tasks(office, clock, count: int) -> int:
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2024-03-29"}
                           for n in range(1, count + 1)])
    for item in office.ready(plan_id):
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock)
    return plan_id


def _race(calls) -> list[BaseException | None]:
    """Run the calls at once (released together); what each raised, or None."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - the test reports every outcome
            return error
        return None

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _contribute(office, item, clock):
    unit = next(name for name, unit_id in office.units.items() if unit_id == item.candidate_unit_id)
    return lambda: steps.complete_step(office.uow(), item.id, office.users[HEADS[unit]],
                                       {"contribution": f"Góp ý của {unit} cho {item.plan_task_id}"}, clock=clock)


def test_parallel_contributions_to_one_step_are_all_kept(office):
    pairs = PAIRS if office.storage.engine.dialect.name == "postgresql" else PAIRS // 5
    with office_clock(date(2024, 3, 4)) as clock:
        plan_id = _coordinating_tasks(office, clock, pairs)
        by_task: dict[int, list] = {}
        for item in office.ready(plan_id):
            by_task.setdefault(item.plan_task_id, []).append(item)
        assert all(len(items) == 2 and {i.form for i in items} == {"contribute"} for items in by_task.values())

        outcomes = []
        groups = list(by_task.values())
        for start in range(0, len(groups), AT_ONCE):
            outcomes += _race([_contribute(office, item, clock) for pair in groups[start:start + AT_ONCE]
                               for item in pair])

    assert [repr(o) for o in outcomes if o is not None] == []
    with office.uow() as uow:
        for task_id, pair in by_task.items():
            instance = uow.instances.for_task(task_id)
            wf = instances.load(uow, instances.runtime(uow, SystemClock()), instance)
            kept = sorted(wf.data.get("contributions") or _child_contributions(wf))
            assert len(kept) == 2, (task_id, kept)
            assert {i.form for i in uow.work_items.ready_for_instance(instance.id)} == {"report"}, task_id
    with office.storage.engine.connect() as conn:
        completed = conn.execute(select(orm.audit_events.c.detail)
                                 .where(orm.audit_events.c.action == "step_completed",
                                        orm.audit_events.c.step_id == "coordinate")).scalars().all()
    assert len(completed) == 2 * pairs


def _child_contributions(wf) -> list[str]:
    """The contributions as the report step sees them (its data, after the merge)."""
    [report] = [t for t in wf.get_tasks() if t.task_spec.name == "report" and t.state >= 4]
    return list(report.data.get("contributions") or [])


def test_the_same_step_completed_twice_at_once_gives_one_409(office):
    with office_clock(date(2024, 3, 4)) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
        [item] = office.ready(plan_id)
        outcomes = _race([
            lambda who=who: steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                                {"assignee": office.users[who]}, clock=clock)
            for who in ("cv.kstthc", "cv.kstthc2")
        ])
    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyDone", "NoneType"], outcomes
    [report] = office.ready(plan_id)
    winner = "cv.kstthc" if outcomes[0] is None else "cv.kstthc2"
    assert report.assignee_user_id == office.users[winner]


class _PausingSweep:
    """A unit-of-work factory for the sweep that stops, holding its due instances, until
    told to go on: the moment a person completes a step of one of them."""

    def __init__(self, storage) -> None:
        self.storage = storage
        self.holding = threading.Event()
        self.go_on = threading.Event()

    def __call__(self):
        uow = self.storage.uow()
        pause = self

        class Held(type(uow)):
            def __enter__(self):
                super().__enter__()
                due = self.instances.due_for_timers

                def holding(now, limit):
                    rows = due(now, limit)
                    if rows:
                        pause.holding.set()
                        pause.go_on.wait(30)
                    return rows

                self.instances.due_for_timers = holding
                return self

        uow.__class__ = Held
        return uow


def test_a_person_completing_while_the_sweep_holds_the_instance_waits_and_wins(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    try:
        with office_clock(date(2024, 3, 4)) as clock:
            plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
            [assign] = office.ready(plan_id)
            steps.complete_step(office.uow(), assign.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
            [report] = office.ready(plan_id)
            clock.on(date(2024, 3, 27))  # the holder's reminder is due: the sweep takes the instance
            paused = _PausingSweep(office.storage)
            with ThreadPoolExecutor(2) as pool:
                swept = pool.submit(sweep.sweep, paused, clock)
                assert paused.holding.wait(30)
                completing = pool.submit(steps.complete_step, office.uow(), report.id, office.users["cv.kstthc"],
                                         {"result": "Đã xong"}, Upload("bao-cao.txt", "text/plain", b"x"), clock)
                with pytest.raises(TimeoutError):
                    completing.result(timeout=1)  # it waits for the sweep's lock
                paused.go_on.set()
                result = swept.result(timeout=30)
                completing.result(timeout=30)
        assert (result.errors, result.notices) == (0, 1)
        assert [i.form for i in office.ready(plan_id)] == ["review"]
    finally:
        office.storage.engine.dispose()


@pytest.mark.parametrize("write", ["commit", "flush"])
def test_a_stale_writer_loses_to_the_first_with_a_409_not_a_server_error(office, write):
    """Two requests load the same step; whatever the lock, the second write finds its row
    changed and says AlreadyDone, at commit and at an earlier flush alike."""
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    [assign] = office.ready(plan_id)
    first, second = office.uow(), office.uow()
    with first, second:
        mine, theirs = (uow.instances.get(assign.instance_id) for uow in (first, second))
        mine.updated_at = None
        first.commit()
        theirs.updated_at = None
        with pytest.raises(AlreadyDone):
            getattr(second, write)()


def test_a_step_locked_after_it_was_read_is_read_again_with_what_another_wrote_in_between(office):
    """The step's objects its unit of work already held are refreshed by the locked
    read (not left as first read): a colleague took the step in between."""
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    [assign] = office.ready(plan_id)
    head = office.users["truong.kstthc"]
    with office.uow() as uow:
        held = uow.work_items.get(assign.id)
        assert held.claimed_by is None
        steps.claim(office.uow(), assign.id, head)
        locked = uow.instances.lock_step(assign.id, head)
        assert locked.item is held and held.claimed_by == head
        assert locked.task.unit_ids("lead") == [office.units[KSTTHC]] and locked.user.id == head


def test_two_people_taking_the_same_step_at_once_one_takes_it_the_other_is_told(office):
    with office.uow() as uow:
        deputy = model.User(username="pho.kstthc", full_name="Phó trưởng phòng", unit_id=office.units[KSTTHC],
                            role="unit_head", password_hash="-")
        uow.users.add(deputy)
        uow.commit()
    with office_clock(date(2024, 3, 4)) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
        [item] = office.ready(plan_id)
        takers = [office.users["truong.kstthc"], deputy.id]
        outcomes = _race([lambda who=who: steps.claim(office.uow(), item.id, who, clock=clock) for who in takers])
    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyDone", "NoneType"], outcomes
    [taken] = office.ready(plan_id)
    assert taken.claimed_by == takers[outcomes.index(None)]
