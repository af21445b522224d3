"""Whose ready steps a person's inbox holds, as every inbox statement writes it: the
holder branches of `work_items` (held by name, taken, or waiting for the person's unit's
role or for a role with no unit), each one range of its index (`held_branches`); the
same holders' rows of the count tables (`held_by`, `held_parts`); the holders' names;
and the values an inbox statement binds at each read, the reader's hidden from
PostgreSQL's planner (`person`). The inbox's pages (`inbox_pages`) and its counts and
filter choices (`inbox_totals`) are built from them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, String, Table, and_, bindparam, func, literal_column, or_, select

from adapters.storage import orm


# Constants written into the inbox's statements, not bound: PostgreSQL then knows them
# as well in a prepared statement's generic plan as in a custom one (`person`), as it
# knows the ready state (`orm.ready`). 0 is the count tables' "no holder", a step's
# "nobody" and an empty sum.
ZERO, NO_ROLE = literal_column("0", Integer), literal_column("''", String)


def branches(user_id: int, unit_id: int | None, role: str, whose: str | None = None) -> list[Any]:
    """`held_branches`' conditions alone."""
    return [branch for _, branch in held_branches(user_id, unit_id, role, whose)]


def held_branches(user_id: int, unit_id: int | None, role: str, whose: str | None = None) -> list[tuple[str, Any]]:
    """Ready steps for this person, as disjoint conditions, each with its holder (a kind
    of `HOLDERS`): held by name, taken by them
    (and not also theirs by name), or waiting for their unit's role (a step for a role
    with no unit, the leaders', waits for everyone with that role) and not taken by a
    colleague; `whose` keeps the first two ("mine") or the others ("unit"). Each names
    `state` with its own columns, so that each is one range of an index that ends in
    (due_on, id): `ix_work_items_user_ready`, `_claimed_ready`, `_unit_ready`."""
    w = orm.work_items
    ready = orm.ready(w)
    # "Nobody holds it" as the columns: PostgreSQL's statistics say how many steps are
    # free (it takes an expression for a rare one and sorts them all instead of reading
    # its index); the name and claim indexes hold no step without a holder (migration
    # 0033), so SQLite cannot read the free steps through them.
    nobody = and_(w.c.assignee_user_id.is_(None), w.c.claimed_by.is_(None))
    free = and_(w.c.candidate_role == role, nobody)
    mine = [("person", and_(ready, w.c.assignee_user_id == user_id)),
            ("person", and_(ready, w.c.claimed_by == user_id, func.coalesce(w.c.assignee_user_id, ZERO) != user_id))]
    units = [("free", and_(ready, w.c.candidate_unit_id.is_(None), free))]
    if unit_id is not None:
        units.append(("unit", and_(ready, w.c.candidate_unit_id == unit_id, free)))
    return {"mine": mine, "unit": units}.get(whose or "", mine + units)


# The holders of `held_branches`' conditions: the person (by name and taken), a role
# with no unit, the person's unit's role.
HOLDERS = ("person", "free", "unit")


def waiting_for(user_id: int, unit_id: int | None, role: str) -> Any:
    """Every ready step for this person (`branches`) as one OR: SQLite's OR optimisation
    and PostgreSQL's BitmapOr read only the person's rows instead of every ready step."""
    return or_(*branches(user_id, unit_id, role))


def held_parts(table: Table, user_id: Any, unit_id: Any, role: Any, whose: str | None) -> list[tuple[str, Any]]:
    """`held_by`'s rows as disjoint conditions, each with its holder (`HOLDERS`): each
    one range of the table's index on its holder."""
    c = table.c
    mine = [("person", _person_holds(c, user_id))]
    units = [(holder, and_(c.holder_user_id == ZERO, c.holder_unit_id == unit, c.holder_role == role))
             for holder, unit in (("free", ZERO), ("unit", unit_id)) if unit is not None]
    return {"mine": mine, "unit": units}.get(whose or "", mine + units)


def held_by(table: Table, user_id: Any, unit_id: Any, role: Any, whose: str | None) -> Any:
    """The rows of a count table (`orm.inbox_counts`) of this person's inbox: theirs, and
    their unit's role's (migration 0019 names the holders as `branches` does); the role's
    two holders as one IN (PostgreSQL reads them in one BitmapOr), not two ranges as in
    `held_parts`."""
    c = table.c
    theirs = _person_holds(c, user_id)
    unit = and_(c.holder_user_id == ZERO, c.holder_unit_id.in_([ZERO] if unit_id is None else [ZERO, unit_id]),
                c.holder_role == role)
    return {"mine": theirs, "unit": unit}.get(whose or "", or_(theirs, unit))


def _person_holds(c: Any, user_id: Any) -> Any:
    """A count table's rows held by the person, by name or taken: no unit, no role."""
    return and_(c.holder_user_id == user_id, c.holder_unit_id == ZERO, c.holder_role == NO_ROLE)


# The values of a person's inbox page, bound at each read into statements built once per
# shape (`inbox_pages.due_page`, `inbox_totals._inbox_counts`, `_inbox_choices`):
# building these unions and subqueries costs SQLAlchemy more than the database takes to
# run them.
_USER, _UNIT, _ROLE, STEP, PLAN, STEP_NAME = (bindparam(name) for name in ("user_id", "unit_id", "role", "step_id",
                                                                              "plan_id", "step_name"))
TODAY, SOON, BEFORE, FROM = (bindparam(name, type_=Date) for name in ("today", "soon_until", "due_before",
                                                                            "due_from"))


def person(sqlite: bool) -> tuple[Any, Any, Any]:
    """The reader's id, unit and role in the statements of `repository._inbox_values`. On
    PostgreSQL each is a one-value subquery, which its planner cannot see into: with the values
    visible, it planned an inbox of few steps (the monitor's, any person's with few)
    cheaper than its generic plan, so it planned every read again (0.8 ms for a page it
    ran in 0.06), though the generic plan runs the same. Unseen, every inbox is planned
    for a holder of average size, once per connection; each branch is still one range of
    its index, the subquery's value its bound."""
    if sqlite:
        return _USER, _UNIT, _ROLE
    return tuple(select(bindparam(name, type_=kind)).scalar_subquery()
                 for name, kind in (("user_id", Integer), ("unit_id", Integer), ("role", String)))


def named(holder: str) -> Any:
    """A holder's name written into the SQL, as the ready state is."""
    return literal_column(f"'{holder}'", String)

