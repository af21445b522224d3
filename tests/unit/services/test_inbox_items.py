"""An inbox row is a whole `InboxItem`, as its __init__ would build it (every field,
equal and hashed alike, frozen), though built without it for speed."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from engine.tasks import inbox
from tests.support.office import KSTTHC


def test_an_inbox_item_is_the_dataclass_its_init_would_build(office):
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"},
                 {"ref": "2", "lead": [KSTTHC], "due": "2024-01-17"}])
    items = inbox.list_inbox(office.uow(), office.users["truong.kstthc"], date(2024, 1, 16)).items
    assert len(items) == 2
    names = [f.name for f in dataclasses.fields(inbox.InboxItem)]
    for item in items:
        assert list(vars(item)) == names
        built = inbox.InboxItem(**{name: getattr(item, name) for name in names})
        assert item == built and hash(item) == hash(built) and repr(item) == repr(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            item.days_left = 0  # type: ignore[misc]
    assert {(i.urgency, i.mine, i.claimed) for i in items} == {("soon", False, False), ("ok", False, False)}
