"""The migrations form one line: engineers working in parallel each add "the next"
migration, and two files claiming the same place would give Alembic two heads, which
`upgrade head` refuses on every fresh database. This catches it before landing."""
from __future__ import annotations

import re

from alembic.config import Config
from alembic.script import ScriptDirectory

from adapters.storage import MIGRATIONS


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_the_migrations_have_a_single_head() -> None:
    assert len(_scripts().get_heads()) == 1, _scripts().get_heads()


def test_each_migration_number_is_used_once_and_names_its_file() -> None:
    numbers: dict[str, str] = {}
    for script in _scripts().walk_revisions():
        filename = script.path.rsplit("/", 1)[-1]
        number = re.match(r"(\d{4})_", filename)
        assert number, f"{filename} does not start with a four-digit number"
        assert script.revision.startswith(number.group(1)), f"{filename} holds revision {script.revision}"
        assert number.group(1) not in numbers, f"{filename} and {numbers[number.group(1)]} share a number"
        numbers[number.group(1)] = filename


def test_the_chain_runs_from_one_base_without_gaps() -> None:
    revisions = list(_scripts().walk_revisions())
    bases = [script for script in revisions if script.down_revision is None]
    assert len(bases) == 1
    assert len(revisions) == len({script.revision for script in revisions})
