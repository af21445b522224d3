"""The in-memory unit of work and repositories (`adapters/memory.py`): they subclass
the real ports, behave as a transaction, and let the service rules of
`tests/unit/services/` run with no database at all."""
from __future__ import annotations

import abc
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import memory
from engine import model
from engine import unit_of_work as ports

ROOT = Path(__file__).resolve().parents[2]


def test_every_fake_repository_is_its_port_and_every_port_but_the_dashboard_s_has_a_fake():
    with memory.MemoryDatabase().uow() as uow:
        repositories = {name: getattr(uow, name) for name in ports.AbstractUnitOfWork.__annotations__
                        if hasattr(uow, name)}
    assert isinstance(uow, ports.AbstractUnitOfWork)
    for name, repository in repositories.items():
        port = getattr(ports, ports.AbstractUnitOfWork.__annotations__[name])  # e.g. "UserRepository"
        assert isinstance(repository, port), name
    assert set(ports.AbstractUnitOfWork.__annotations__) - set(repositories) == {"progress"}


def test_every_method_of_a_port_is_abstract_so_that_a_fake_cannot_silently_lack_it():
    for port in vars(ports).values():
        if isinstance(port, type) and issubclass(port, abc.ABC) and port.__module__ == ports.__name__:
            public = {name for name, value in vars(port).items() if callable(value) and not name.startswith("_")}
            assert public <= port.__abstractmethods__, port.__name__


def test_a_fake_lacking_a_port_method_cannot_be_made():
    class Incomplete(memory._ObjectRepository, ports.UserRepository):
        def by_username(self, username):
            return None

    with pytest.raises(TypeError, match="in_unit"):
        Incomplete(memory.MemoryDatabase().uow().__enter__(), "users")


def test_work_is_rolled_back_unless_committed():
    database = memory.MemoryDatabase()
    with database.uow() as uow:
        uow.units.add(model.Unit(name="Phòng A"))
    with database.uow() as uow:
        assert uow.units.list() == []
        uow.units.add(model.Unit(name="Phòng B"))
        uow.commit()
    with database.uow() as uow:
        assert [u.name for u in uow.units.list()] == ["Phòng B"]


def test_a_unit_of_work_entered_for_reading_refuses_to_write_and_is_plain_again_after():
    database = memory.MemoryDatabase()
    uow = database.uow()
    with uow.reading():
        uow.units.add(model.Unit(name="Phòng mới"))
        for write in (uow.flush, uow.commit):
            with pytest.raises(ports.ReadOnlyWork):
                write()
    with uow:
        assert uow.units.list() == []
        uow.units.add(model.Unit(name="Phòng mới"))
        uow.commit()
    with database.uow() as uow:
        assert [u.name for u in uow.units.list()] == ["Phòng mới"]


def test_what_a_unit_of_work_read_stays_as_read_and_changes_only_through_a_commit():
    database = memory.MemoryDatabase()
    with database.uow() as uow:
        unit = model.Unit(name="Phòng A")
        uow.units.add(unit)
        uow.commit()
    unit.name = "changed after the unit of work ended"
    with database.uow() as first, database.uow() as second:
        first.units.get(unit.id).name = "Phòng A mới"
        assert second.units.get(unit.id).name == "Phòng A"  # not committed: nobody else sees it
        first.commit()
    with database.uow() as uow:
        assert uow.units.get(unit.id).name == "Phòng A mới"


def test_the_service_rules_run_without_sqlalchemy_or_a_database_driver():
    """The unit tests of service rules again, in a process where SQLAlchemy, Alembic,
    sqlite3 and psycopg cannot be imported (tests/support/no_database.py)."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.support.no_database",
         "tests/unit/services"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout
