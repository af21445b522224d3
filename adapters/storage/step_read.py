"""The step's one read: what completing or showing a step reads after its lock, in one
statement (`InstanceRepository.lock_step`), built once at import.

The lock of the step's instance (PostgreSQL; on SQLite `BEGIN IMMEDIATE` is the lock),
then the asked item with the instance's ready items, the instance, its task with its
units, the plan, the acting user, an open incident and the office days' version as
labelled columns (`row_objects.write_labelled`), followed in the same statement by rows
of the people the step and its next steps may tell; and where each table's columns are
in a row read on the cursor."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, literal_column, or_, select, union_all

from adapters.storage import orm
from adapters.storage.row_objects import write_labelled
from engine.deadlines.recipients import HEAD, LEADER


def _step_query() -> tuple[Any, Any, dict[str, dict[str, str]]]:
    """`lock_step`'s two statements, built once: the instance's lock (PostgreSQL), and
    its step's item with the instance's ready items, the instance, task (with its
    units), plan, acting user, open incident and the office days' version, as labelled
    columns, followed by rows of the active people of the unit an assign step waits for
    (`pu`: the head's choices and the next step's holders) and of those the next steps
    and the rungs may need (`LockedStep.told`); and the labels of each table's columns."""
    # The read's tables by short names, and its branches' missing columns bare NULLs (a
    # union takes their types from the other branch): the SQL stays within the 4 kB whose
    # conversion psycopg keeps (4,056 bytes); at 7.4 kB it was converted again at every step.
    w, i, t, p, u, n, tu = (table.alias(name) for table, name in (
        (orm.work_items, "w"), (orm.process_instances, "i"), (orm.plan_tasks, "t"), (orm.plans, "p"),
        (orm.users, "u"), (orm.incidents, "n"), (orm.task_units, "tu")))
    asked = orm.work_items.alias("asked")
    instance_of_item = select(asked.c.instance_id).where(asked.c.id == bindparam("item")).scalar_subquery()
    lock = (select(orm.process_instances.c.id).where(orm.process_instances.c.id == instance_of_item)
            .with_for_update())
    columns, parts = write_labelled({"w": w, "i": i, "t": t, "p": p, "u": u, "tu": tu})
    people, people_parts = write_labelled({"pu": u})
    parts.update(people_parts)
    step = (
        select(*columns, n.c.id.label("incident_id"), n.c.work_item_id.label("incident_work_item_id"),
               orm.OFFICE_DAYS_VERSION.label("office_days"), *(literal_column("NULL").label(c.name) for c in people))
        .join(i, i.c.id == w.c.instance_id)
        .join(t, t.c.id == i.c.plan_task_id)
        .join(p, p.c.id == t.c.plan_id)
        .outerjoin(tu, tu.c.task_id == t.c.id)
        .outerjoin(u, u.c.id == bindparam("user"))
        .outerjoin(n, and_(n.c.instance_id == i.c.id, n.c.state == "open"))
        # The asked item and the ready ones: an instance's finished items (its whole
        # history) would come with every step, each row carrying the state again.
        .where(w.c.instance_id == instance_of_item, or_(w.c.id == bindparam("item"), orm.ready(w)))
    )
    # The unit's people as rows of their own (joined, each would repeat the state), read
    # in the same statement: one round trip less a step. With them, those the next steps
    # and the rungs may need (`LockedStep.told`), who are then not read after the step.
    # (The roles as constants: no parameter, a shorter SQL.)
    unit_waited_for = (select(asked.c.candidate_unit_id)
                       .where(asked.c.id == bindparam("item"), asked.c.form == "assign").scalar_subquery())
    task_of_item = select(asked.c.plan_task_id).where(asked.c.id == bindparam("item")).scalar_subquery()
    director = orm.plan_tasks.alias("d")
    of_task = orm.task_units.alias("l")
    told = or_(
        u.c.id == select(director.c.director_user_id).where(director.c.id == task_of_item).scalar_subquery(),
        and_(u.c.active.is_(True), or_(
            u.c.unit_id == unit_waited_for, u.c.role == literal_column(f"'{LEADER}'"),
            and_(u.c.role == literal_column(f"'{HEAD}'"),
                 u.c.unit_id.in_(select(of_task.c.unit_id).where(of_task.c.task_id == task_of_item))))))
    # (its columns unlabelled: a union's names are its first branch's)
    of_unit = (select(*(literal_column("NULL") for _ in range(len(step.selected_columns) - len(people))),
                      *(u.c[name] for name in people_parts["pu"].values()))
               .where(told))
    query = union_all(step, of_unit)
    c = query.selected_columns
    return lock, query.order_by(c.w_id, c.incident_id, c.tu_id, c.pu_full_name), parts


LOCK_STEP_INSTANCE, STEP_READ, _STEP_READ_PARTS = _step_query()
# Where each table's columns are in a row of `STEP_READ` (run on the cursor: plain tuples).
STEP_AT = {name: n for n, name in enumerate(STEP_READ.selected_columns.keys())}
STEP_PARTS_AT = {prefix: tuple((STEP_AT[label], name) for label, name in labels.items())
                  for prefix, labels in _STEP_READ_PARTS.items()}

