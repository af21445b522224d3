"""a word index over each task's folded words: the database finds the tasks, not Python

SQLite: an FTS5 table over `plan_tasks.search_folded` (external content, kept in step
by triggers; its tokenizer keeps letters as they are, the text being folded already).
PostgreSQL: a GIN index on `to_tsvector('simple', search_folded)` (the 'simple'
configuration: no stemming or stop words, which know no Vietnamese).

A later migration that rebuilds `plan_tasks` on SQLite (batch mode) drops these
triggers: it must create them again.

Revision ID: 0009_task_word_index
Revises: 0008_process_events
"""
from alembic import op

revision = "0009_task_word_index"
down_revision = "0008_process_events"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE plan_task_words USING fts5(search_folded, content='plan_tasks', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER plan_task_words_insert AFTER INSERT ON plan_tasks BEGIN "
    "INSERT INTO plan_task_words(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "CREATE TRIGGER plan_task_words_delete AFTER DELETE ON plan_tasks BEGIN "
    "INSERT INTO plan_task_words(plan_task_words, rowid, search_folded) VALUES ('delete', old.id, old.search_folded); END",
    "CREATE TRIGGER plan_task_words_update AFTER UPDATE OF search_folded ON plan_tasks BEGIN "
    "INSERT INTO plan_task_words(plan_task_words, rowid, search_folded) VALUES ('delete', old.id, old.search_folded); "
    "INSERT INTO plan_task_words(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "INSERT INTO plan_task_words(plan_task_words) VALUES ('rebuild')",
]
POSTGRESQL = ["CREATE INDEX ix_plan_tasks_search_words ON plan_tasks USING gin (to_tsvector('simple', search_folded))"]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER plan_task_words_{name}")
        op.execute("DROP TABLE plan_task_words")
    else:
        op.execute("DROP INDEX ix_plan_tasks_search_words")
