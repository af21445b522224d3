"""What must hold in an office whatever its steps did, each check returning its problems
(empty when it holds): checked after every simulated day (`tests/simulation/invariants`)
and after several workers' steps at once (`bench/concurrent_steps.py`). `office` is an
`Office` or the simulation's `OfficeYear`: each check reads only its storage."""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from adapters.storage import orm
from tests.support.office import Office

INPUTS = {"assign": ("assignee",), "contribute": ("contribution",), "report": ("result", "product"),
          "review": ("decision",)}


def not_stuck(uow, instance, rt, wf) -> list[str]:
    ready = {s.task_id for s in rt.ready_steps(wf)}
    indexed = {i.task_uuid for i in uow.work_items.ready_for_instance(instance.id)}
    if not ready:
        return [f"instance {instance.id} is open with no ready step"]
    if ready != indexed:
        return [f"instance {instance.id}: inbox index {sorted(indexed)} != ready steps {sorted(ready)}"]
    return []


def inputs_stored(office: Office, since) -> list[str]:
    w, a = orm.work_items, orm.audit_events
    with office.storage.engine.connect() as conn:
        done = conn.execute(select(w.c.id, w.c.form).where(w.c.state == "completed", w.c.completed_at >= since)).all()
        audited = {r.work_item_id: r.detail for r in conn.execute(
            select(a.c.work_item_id, a.c.detail).where(a.c.action == "step_completed", a.c.at >= since))}
    problems = []
    for item_id, form in done:
        detail = audited.get(item_id)
        if detail is None or any(detail.get(name) in (None, "") for name in INPUTS.get(form, ())):
            problems.append(f"work item {item_id} ({form}) completed without its input stored: {detail}")
    return problems


def dashboard_agrees(office: Office, uow, day: date) -> list[str]:
    """The plan list's counts (one query) against the same counts rebuilt from the
    audit trail: a task is closed when its last review accepted, waiting while undated."""
    t, a = orm.plan_tasks, orm.audit_events
    with office.storage.engine.connect() as conn:
        tasks = conn.execute(select(t.c.id, t.c.plan_id, t.c.due_on)).all()
        reviews = conn.execute(select(a.c.plan_task_id, a.c.detail).where(
            a.c.action == "step_completed", a.c.step_id == "review").order_by(a.c.id)).all()
    last_decision = {task_id: (detail or {}).get("decision") for task_id, detail in reviews}
    rebuilt: dict[int, Counter] = {}
    for task_id, plan_id, due in tasks:
        closed = last_decision.get(task_id) == "accept"
        rebuilt.setdefault(plan_id, Counter()).update(
            total=1, closed=closed, waiting=due is None and not closed,
            overdue=not closed and due is not None and due < day)
    shown = {r["id"]: Counter({k: r[k] or 0 for k in ("total", "closed", "overdue", "waiting")})
             for r in uow.progress.plan_counts(day)}
    return [f"plan {plan_id}: dashboard {dict(shown.get(plan_id, {}))} != audit {dict(counts)}"
            for plan_id, counts in rebuilt.items() if +shown.get(plan_id, Counter()) != +counts]


def plan_groups_kept(office: Office) -> list[str]:
    """`plan_task_counts`' sums per plan, due and closing date and status against the same
    groups of `plan_tasks`: two queries over every plan."""
    t, c = orm.plan_tasks.c, orm.plan_task_counts.c
    key = (t.plan_id, t.due_on, t.closed_on, t.status)
    counted = (c.plan_id, c.due_on, c.closed_on, c.status)
    with office.storage.engine.connect() as conn:
        tasks = {tuple(row[:-1]): row[-1] for row in conn.execute(select(*key, func.count()).group_by(*key))}
        kept = {tuple(row[:-1]): row[-1] for row in conn.execute(
            select(*counted, func.sum(c.n)).group_by(*counted).having(func.sum(c.n) != 0))}
    return [f"plan group {group}: plan_task_counts {kept.get(group)} != tasks {tasks.get(group)}"
            for group in sorted(set(tasks) | set(kept), key=repr) if tasks.get(group) != kept.get(group)]
