"""Storage of incidents (engine/incidents.py): SQL Core over `orm.incidents`, rows as dicts."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from adapters.storage import cursor_reads, orm
from engine import unit_of_work as ports

_i = orm.incidents
# The open incidents of a sweep batch's instances, newest first (`open_for_instances`).
_OPEN_OF_INSTANCES = (select(_i).where(_i.c.instance_id.in_(bindparam("ids", expanding=True)), _i.c.state == "open")
                      .order_by(_i.c.id.desc()))


class IncidentRepository(ports.IncidentRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def add(self, values: dict[str, Any]) -> int:
        return int(self.session.execute(_i.insert().values(**values).returning(_i.c.id)).scalar_one())

    def get(self, incident_id: int) -> dict[str, Any] | None:
        rows = self._rows(select(_i).where(_i.c.id == incident_id))
        return rows[0] if rows else None

    def update(self, incident_id: int, **values: Any) -> None:
        self.session.execute(update(_i).where(_i.c.id == incident_id).values(**values))

    def open_for_instance(self, instance_id: int) -> dict[str, Any] | None:
        rows = self._rows(select(_i).where(_i.c.instance_id == instance_id, _i.c.state == "open").order_by(_i.c.id))
        return rows[0] if rows else None

    def open_for_instances(self, instance_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        ids = sorted(set(instance_ids))
        if not ids:
            return {}
        rows = cursor_reads.dicts(self.session, _OPEN_OF_INSTANCES, {"ids": ids})
        return {row["instance_id"]: row for row in rows}  # the first opened wins, as in open_for_instance

    def open_rows(self, limit: int = 500) -> list[dict[str, Any]]:
        """Open incidents with their task, plan and process version, newest failure first."""
        t, p, n, v = orm.plan_tasks, orm.plans, orm.process_instances, orm.process_versions
        query = (
            select(_i, t.c.ref.label("task_ref"), t.c.title.label("task_title"), p.c.id.label("plan_id"),
                   p.c.number.label("plan_number"), n.c.process_version_id, v.c.process_key,
                   v.c.number.label("version_number"))
            .join(t, t.c.id == _i.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .join(n, n.c.id == _i.c.instance_id).join(v, v.c.id == n.c.process_version_id)
            .where(_i.c.state == "open").order_by(_i.c.updated_at.desc(), _i.c.id.desc()).limit(limit)
        )
        return self._rows(query)

    def open_count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(_i).where(_i.c.state == "open")).scalar_one())
