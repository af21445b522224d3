"""bench/concurrent_steps.py on each database: worker processes completing different
steps at once complete each exactly once with the office's invariants kept, and the
bench's check sees a step whose completion was lost."""
from __future__ import annotations

from sqlalchemy import delete

from adapters.storage import orm
from bench import concurrent_steps as bench
from engine.clock import to_storage
from tests.support.office import clock_on

TASKS_A_UNIT = {bench.SAME[0]: 16, bench.SPREAD[1][0]: 4, bench.SPREAD[2][0]: 4}


def test_workers_at_once_complete_each_step_once_and_a_lost_one_is_seen(office_on_each_database):
    office = office_on_each_database
    plan_id = office.plan([{"ref": f"{unit[:3]}{n}", "lead": [unit], "due": "2024-03-29"}
                           for unit, count in TASKS_A_UNIT.items() for n in range(count)])
    url = office.storage.engine.url.render_as_string(hide_password=False)
    dialect = office.storage.engine.dialect.name
    since = to_storage(clock_on(bench.WORK_DAY).now())
    left = bench.gather(office, [plan_id], TASKS_A_UNIT)
    same, spread = bench.Row("same unit, W=2", (bench.SAME,) * 2), bench.Row("spread", bench.SPREAD)
    outcomes = bench.run_row(url, office, same, left, 8, dialect) + bench.run_row(url, office, spread, left, 6, dialect)

    assert len(outcomes) == 24 and [o.error for o in outcomes if o.error] == []
    assert bench.check(office, outcomes, since) == []
    lost = outcomes[-1].item_id
    with office.storage.engine.begin() as conn:
        a = orm.audit_events.c
        conn.execute(delete(orm.audit_events).where(a.work_item_id == lost, a.action == "step_completed"))
    assert any(problem.startswith(f"work item {lost}: 0 history lines") for problem in bench.check(office, outcomes, since))
