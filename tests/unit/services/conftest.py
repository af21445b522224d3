"""Service rules on the fakes (`adapters/memory.py`): no database, no SQLAlchemy.

`tests/unit/test_fakes.py` runs this folder again with SQLAlchemy and the database
drivers unimportable, so a rule that reached for a database here would fail there.
"""
from __future__ import annotations

from collections.abc import Iterator
import pytest

from tests.support.deadlines import ISSUED, Clock, office_clock
from tests.support.office import Office, memory_office


@pytest.fixture
def office() -> Office:
    return memory_office()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The services' clock and SpiffWorkflow's, on the plan's date until moved."""
    with office_clock(ISSUED) as clock:
        yield clock
