"""The read queries behind the dashboard, the overview, search and reports.

Each method is one SQL statement over plan tables, the work-item index and the audit
trail, whatever the number of tasks: the callers classify and group in Python. None
reads `process_instances.state`.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from adapters.storage import orm
from engine import unit_of_work as ports

_t, _p, _tu, _u = orm.plan_tasks, orm.plans, orm.task_units, orm.units


class ProgressQueries(ports.ProgressQueries):
    def __init__(self, session: Session) -> None:
        self.session = session

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def tasks(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Every task (of one plan, or of all, or those of `task_ids`), with its plan's number and title."""
        query = (
            select(_t.c.id, _t.c.plan_id, _t.c.ref, _t.c.title, _t.c.content, _t.c.position, _t.c.director_user_id,
                   _t.c.people, _t.c.search_text,
                   _t.c.deadline_text, _t.c.due_on, _t.c.status, _t.c.closed_on,
                   _p.c.number.label("plan_number"), _p.c.title.label("plan_title"))
            .join(_p, _p.c.id == _t.c.plan_id)
            .order_by(_t.c.plan_id, _t.c.position, _t.c.id)
        )
        if plan_id is not None:
            query = query.where(_t.c.plan_id == plan_id)
        if task_ids is not None:
            query = query.where(_t.c.id.in_(task_ids))
        return self._rows(query)

    def task_units(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Who leads and who coordinates each task, with the units' names."""
        query = (
            select(_tu.c.task_id, _tu.c.unit_id, _tu.c.role, _u.c.name)
            .join(_u, _u.c.id == _tu.c.unit_id)
            .order_by(_tu.c.task_id, _tu.c.role, _tu.c.position)
        )
        if plan_id is not None:
            query = query.join(_t, _t.c.id == _tu.c.task_id).where(_t.c.plan_id == plan_id)
        if task_ids is not None:
            query = query.where(_tu.c.task_id.in_(task_ids))
        return self._rows(query)

    def task_ids_with_words(self, words: list[str], limit: int) -> list[int]:
        """The tasks whose folded text holds every one of `words` (folded, `\\w+` each) as a
        whole word, through the database's word index (migration 0009); at most `limit`."""
        if not words:
            return []
        if self.session.get_bind().dialect.name == "sqlite":
            match = " ".join(f'"{word}"' for word in words)  # FTS5: quoted terms, all required
            query = text("SELECT rowid FROM plan_task_words WHERE plan_task_words MATCH :match LIMIT :limit")
            return list(self.session.scalars(query, {"match": match, "limit": limit}))
        vector = func.to_tsvector(literal_column("'simple'"), _t.c.search_folded)
        wanted = func.to_tsquery(literal_column("'simple'"), " & ".join(words))
        return list(self.session.scalars(select(_t.c.id).where(vector.op("@@")(wanted)).limit(limit)))

    def unit_task_ids(self, unit_id: int) -> list[int]:
        """The tasks a unit leads or coordinates."""
        return list(self.session.scalars(select(_tu.c.task_id).where(_tu.c.unit_id == unit_id).distinct()))

    def person_task_ids(self, user_id: int) -> list[int]:
        """The tasks one of whose steps a person holds by name, or held, or completed."""
        w = orm.work_items
        held = or_(w.c.assignee_user_id == user_id, w.c.completed_by == user_id)
        return list(self.session.scalars(select(w.c.plan_task_id).where(held).distinct()))

    def open_steps(self, plan_id: int | None, task_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """The ready steps of a plan's tasks (or of `task_ids`) and who holds them (a person, or a unit's role)."""
        w, us = orm.work_items, orm.users
        query = (
            select(w.c.plan_task_id.label("task_id"), w.c.step_name, w.c.due_on, w.c.candidate_role,
                   us.c.full_name.label("user_name"), _u.c.name.label("unit_name"))
            .join(_t, _t.c.id == w.c.plan_task_id)
            .outerjoin(us, us.c.id == w.c.assignee_user_id)
            .outerjoin(_u, _u.c.id == w.c.candidate_unit_id)
            .where(w.c.state == "ready")
            .order_by(w.c.plan_task_id, w.c.id)
        )
        if plan_id is not None:
            query = query.where(_t.c.plan_id == plan_id)
        if task_ids is not None:
            query = query.where(w.c.plan_task_id.in_(task_ids))
        return self._rows(query)

    def audit(self, plan_id: int | None, action_prefix: str, task_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """A plan's (or `task_ids`') audit events whose action starts with `action_prefix`, oldest first."""
        a, us = orm.audit_events, orm.users
        query = (
            select(a.c.plan_task_id.label("task_id"), a.c.action, a.c.at, a.c.step_name, a.c.detail,
                   us.c.full_name.label("actor_name"))
            .join(_t, _t.c.id == a.c.plan_task_id)
            .outerjoin(us, us.c.id == a.c.actor_user_id)
            .where(a.c.action.startswith(action_prefix, autoescape=True))
            .order_by(a.c.at, a.c.id)
        )
        if plan_id is not None:
            query = query.where(_t.c.plan_id == plan_id)
        if task_ids is not None:
            query = query.where(a.c.plan_task_id.in_(task_ids))
        return self._rows(query)

    def plan_counts(self, today: date) -> list[dict[str, Any]]:
        """Per plan: tasks, closed, overdue (open and past due), waiting for a date."""
        overdue = and_(_t.c.status == "open", _t.c.due_on < today)
        counts = (
            select(_t.c.plan_id, func.count().label("total"),
                   _sum(_t.c.status == "closed").label("closed"),
                   _sum(overdue).label("overdue"),
                   _sum(_t.c.status == "waiting_date").label("waiting"))
            .group_by(_t.c.plan_id)
            .subquery()
        )
        query = (
            select(_p.c.id, _p.c.number, _p.c.title, _p.c.year, _p.c.issued_on,
                   counts.c.total, counts.c.closed, counts.c.overdue, counts.c.waiting)
            .join(counts, counts.c.plan_id == _p.c.id)
            .order_by(_p.c.issued_on.desc().nulls_last(), _p.c.id.desc())
        )
        return self._rows(query)

    def overdue_by_lead_unit(self, today: date, limit: int) -> list[dict[str, Any]]:
        """The lead units with the most overdue tasks across all plans."""
        overdue = func.count().label("overdue")
        query = (
            select(_u.c.id.label("unit_id"), _u.c.name, overdue)
            .select_from(_tu)
            .join(_t, _t.c.id == _tu.c.task_id)
            .join(_u, _u.c.id == _tu.c.unit_id)
            .where(_tu.c.role == "lead", _t.c.status == "open", _t.c.due_on < today)
            .group_by(_u.c.id, _u.c.name)
            .order_by(overdue.desc(), _u.c.name)
            .limit(limit)
        )
        return self._rows(query)

    def units(self) -> list[dict[str, Any]]:
        """Every unit with its aliases: search matches "KSTTHC" as well as the full name."""
        return self._rows(select(_u.c.id, _u.c.name, _u.c.aliases).order_by(_u.c.name))


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
