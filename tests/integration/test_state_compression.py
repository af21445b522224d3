"""On PostgreSQL an instance's state is stored compressed with lz4 (migration 0025),
which writes it several times faster than the default pglz: a started task's state and
a state written by a step both are, and undoing the migration gives the column back
the server's default."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from adapters.storage import Storage
from engine.tasks import steps
from tests.support.office import KSTTHC, make_office


def test_states_are_written_with_lz4_and_the_downgrade_gives_the_default_back(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    engine = office.storage.engine
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
    asked = next(item for item in office.ready(plan_id) if item.form == "assign")
    steps.complete_step(office.uow(), asked.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc"]})
    with engine.connect() as connection:
        written = connection.execute(text(
            "SELECT pg_column_compression(state), version FROM process_instances")).all()
        assert written == [("lz4", 2)]  # started, then saved by the step
    engine.dispose()
    fresh = Storage(postgres_fresh_url)
    try:
        command.downgrade(fresh.alembic_config(), "0024_inbox_received_index")
        with fresh.engine.connect() as connection:
            setting = connection.execute(text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'process_instances'::regclass AND attname = 'state'")).scalar()
        assert setting in ("", "\x00", None)  # the server's default again
    finally:
        fresh.engine.dispose()
