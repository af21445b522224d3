"""claims and search text: a unit's step taken by one person; each task's words, stored

`work_items.claimed_by`/`claimed_at`: who took a step that waits for a unit's role
("nhận xử lý"), until they give it back. `plan_tasks.search_text` and `search_folded`:
the task's words (its ref, title, content, product, units with their aliases, plan
number and title) as written, lowercased, and folded (no diacritics), each padded with
spaces so that a whole word is `LIKE '% word %'`; existing tasks are filled here.

Revision ID: 0007_claims_search_text
Revises: 0006_state_versions
"""
from alembic import op
import sqlalchemy as sa

from engine.reading.search_text import search_texts

revision = "0007_claims_search_text"
down_revision = "0006_state_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_work_items_claimed_by_users", "users", ["claimed_by"], ["id"])
    with op.batch_alter_table("plan_tasks") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("search_folded", sa.Text(), nullable=False, server_default=""))
    _fill()


def _fill() -> None:
    bind = op.get_bind()
    units = _units(bind)
    task_units: dict[int, list[int]] = {}
    for row in bind.execute(sa.text("SELECT task_id, unit_id FROM task_units")):
        task_units.setdefault(row[0], []).append(row[1])
    rows = bind.execute(sa.text(
        "SELECT t.id, t.ref, t.title, t.content, t.product, p.number, p.title "
        "FROM plan_tasks t JOIN plans p ON p.id = t.plan_id")).all()
    for task_id, ref, title, content, product, number, plan_title in rows:
        names = [name for unit_id in task_units.get(task_id, []) for name in units.get(unit_id, [])]
        text, folded = search_texts([ref, title, content, product, number or "", plan_title, *names])
        bind.execute(sa.text("UPDATE plan_tasks SET search_text = :t, search_folded = :f WHERE id = :id"),
                     {"t": text, "f": folded, "id": task_id})


def _units(bind) -> dict[int, list[str]]:
    table = sa.table("units", sa.column("id"), sa.column("name"), sa.column("aliases", sa.JSON))
    return {row.id: [row.name, *(row.aliases or [])] for row in bind.execute(sa.select(table))}


def downgrade() -> None:
    with op.batch_alter_table("plan_tasks") as batch:
        batch.drop_column("search_folded")
        batch.drop_column("search_text")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_constraint("fk_work_items_claimed_by_users", type_="foreignkey")
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
