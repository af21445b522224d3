"""PostgreSQL keeps each task's words (`search_words`) in its row (migration 0044): an
office built before it upgrades to MAIN storage with every task's row written again (so
the existing vectors are stored that way), downgrades to EXTENDED and upgrades again,
and every reader's search gives the same tasks in the same order, page by page, on each."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from engine.reading import search
from tests.integration.test_reader_scope import an_office_of_every_kind_of_reading
from tests.integration.test_state_index import every_page
from tests.support.schema import office_at

BEFORE = "0043_plan_tasks_state"


def storage_and_versions(storage) -> tuple[str, dict[int, str]]:
    """`search_words`' storage ('m' MAIN, 'x' EXTENDED) and each task's row version (xmin)."""
    with storage.engine.connect() as conn:
        kind = conn.execute(text("SELECT attstorage FROM pg_attribute "
                                 "WHERE attrelid = 'plan_tasks'::regclass AND attname = 'search_words'")).scalar()
        versions = dict(conn.execute(text("SELECT id, xmin::text FROM plan_tasks")).all())
    return kind, versions


def test_an_office_before_0044_upgrades_to_words_in_the_row_and_back(postgres_fresh_url, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    with office_at(postgres_fresh_url, BEFORE) as (storage, office):
        an_office_of_every_kind_of_reading(office)
        pages = {name: every_page(office, user_id, None) for name, user_id in office.users.items()}
        kind, versions = storage_and_versions(storage)
        assert kind == "x" and versions
        for step, wanted in ((storage.upgrade, "m"), (lambda: command.downgrade(storage.alembic_config(), BEFORE), "x"),
                             (storage.upgrade, "m")):
            step()
            kind, written = storage_and_versions(storage)
            assert kind == wanted
            assert written.keys() == versions.keys() and all(written[i] != versions[i] for i in versions)
            versions = written
            assert {name: every_page(office, user_id, None) for name, user_id in office.users.items()} == pages
