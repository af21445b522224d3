"""Search tasks by title, content, unit or plan, typed with or without diacritics."""
from __future__ import annotations

import pytest

from engine.reading.progress import Filters
from engine.reading.search import search_tasks
from tests.e2e.web_helpers import login
from tests.support.office import TTPV
from tests.support.progress_plan import TODAY, progress_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'planflow.sqlite3'}"
    with progress_world(url) as world:
        yield world


def refs(office, query: str, filters: Filters = Filters()) -> list[str]:
    return [t.ref for t in search_tasks(office.uow(), query, TODAY, filters).tasks]


@pytest.mark.parametrize("query", ["cải cách", "cai cach", "CAI CÁCH", "Cải  Cách"])
def test_a_title_is_found_with_or_without_diacritics(world, query):
    office, _, _ = world
    assert refs(office, query) == ["5", "6"]


def test_every_word_must_match_in_any_field(world):
    office, _, _ = world
    assert refs(office, "kiem tra cai cach") == ["6"]
    assert refs(office, "so hoa ho so") == ["3"]
    assert refs(office, "đơn giản hóa") == refs(office, "don gian hoa") == ["1"]
    assert refs(office, "cải cách lương") == []


def test_units_are_found_by_name_or_alias_and_plans_by_number(world):
    office, _, _ = world
    assert refs(office, "trung tam phuc vu") == ["3", "4", "6"]
    assert refs(office, "ksTThc") == ["1", "2", "4", "5", "6"], "KSTTHC is the unit's alias; task 4 coordinates"
    assert len(refs(office, "1/KH-TEST")) == 6
    assert len(refs(office, "ke hoach thu nghiem")) == 6


def test_filters_narrow_the_results_without_a_query(world):
    office, _, _ = world
    assert refs(office, "", Filters(unit_id=office.units[TTPV], state="overdue")) == ["3", "6"]
    assert refs(office, "") == []


def test_the_search_page_lists_the_tasks_found(world):
    _, ids, app = world
    client = app.test_client()
    login(client, "cv.kstthc")  # search is for everyone
    html = client.get("/search?q=cai+cach").get_data(as_text=True)
    assert "Tuyên truyền cải cách hành chính" in html and "Kiểm tra công tác cải cách hành chính" in html
    assert html.count('<tr data-task="') == 2
