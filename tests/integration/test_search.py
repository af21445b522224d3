"""Search tasks by title, content, unit or plan, typed with or without diacritics."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import event, select

from adapters.storage import orm, progress_queries
from engine.reading import search
from engine.reading.progress import Filters
from engine.reading.search import search_tasks
from engine.reading.search_text import words
from engine.text_folding import fold
from tests.e2e.web_helpers import login
from tests.support.office import KSTTHC, TTPV, make_office
from tests.support.progress_plan import TODAY, progress_world
from tests.support.statements import sent_statements


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
    marked = "<mark>cải</mark> <mark>cách</mark> hành chính"
    assert f"Tuyên truyền {marked}" in html and f"Kiểm tra công tác {marked}" in html
    assert html.count('<tr data-task="') == 2


# --- words, not substrings; marks rank first; the database's word index ---------------

RANKED = [
    {"ref": "1", "title": "Hội thảo sổ tay hóa đơn điện tử", "lead": [KSTTHC]},
    {"ref": "2", "title": "Báo cáo số liệu tối ưu hóa quy trình", "lead": [KSTTHC]},
    {"ref": "3", "title": "Số hóa hồ sơ thủ tục hành chính", "lead": [KSTTHC]},
    {"ref": "4", "title": "Rà soát quy định về phí", "lead": [KSTTHC]},
    {"ref": "5", "title": "Đào tạo cán bộ", "lead": [KSTTHC], "coordinators": [TTPV]},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def ranked(request, sqlite_url):
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_fresh_url")
    office = make_office(url)
    office.plan([{**t, "due": "2024-06-28"} for t in RANKED])
    return office


def test_accented_words_rank_the_task_written_so_first_and_unaccented_match_all(ranked):
    assert refs(ranked, "số hóa") == ["3", "2", "1"]
    assert set(refs(ranked, "so hoa")) == {"1", "2", "3"}
    assert refs(ranked, "so hoa")[0] == "3", "side by side before apart"


def test_a_word_matches_whole_words_never_a_part_of_another(ranked):
    assert refs(ranked, "hóa") == ["1", "2", "3"], "'hoạch' of the plan's title is not 'hóa'"
    assert refs(ranked, "quy") == ["2", "4"] and refs(ranked, "qu") == []


def test_search_lists_only_the_tasks_the_reader_may_read(ranked):
    head_of_ttpv = ranked.users["giamdoc.ttpv"]
    found = search_tasks(ranked.uow(), "cán bộ hóa", TODAY, user_id=head_of_ttpv).tasks
    assert found == []
    assert [t.ref for t in search_tasks(ranked.uow(), "đào tạo", TODAY, user_id=head_of_ttpv).tasks] == ["5"]
    assert [t.ref for t in search_tasks(ranked.uow(), "số hóa", TODAY, user_id=head_of_ttpv).tasks] == []


def test_the_search_page_marks_the_words_found(world):
    _, _, app = world
    client = app.test_client()
    login(client, "theodoi")
    html = client.get("/search?q=cai+cach").get_data(as_text=True)
    assert "<mark>cải</mark> <mark>cách</mark>" in html


# --- a broad query ranks a bounded set of its matches -------------------------------------

def best_first(office, query: str) -> list[int]:
    """Every task holding the words, ranked as `_relevance` says, straight from the stored
    texts: the words as typed side by side, how many as typed (when typed with marks), the
    folded words side by side, then plan order."""
    typed, folded = words(query), words(fold(query))
    t = orm.plan_tasks.c
    with office.storage.engine.connect() as conn:
        rows = conn.execute(select(t.id, t.plan_id, t.position, t.search_text, t.search_folded)).all()
    found = [r for r in rows if all(f" {w} " in r.search_folded for w in folded)]
    marks = typed != folded  # typed without marks: only the folded words side by side rank
    return [r.id for r in sorted(found, key=lambda r: (
        -(marks and f" {' '.join(typed)} " in r.search_text), -marks * sum(f" {w} " in r.search_text for w in typed),
        -(f" {' '.join(folded)} " in r.search_folded), r.plan_id, r.position, r.id))]


def every_page(office, query: str, user: str) -> tuple[list[int], list]:
    first = search_tasks(office.uow(), query, TODAY, user_id=office.users[user])
    pages = [first] + [search_tasks(office.uow(), query, TODAY, user_id=office.users[user], page=n)
                       for n in range(2, first.pages + 1)]
    return [t.id for found in pages for t in found.tasks], pages


def test_a_broad_search_ranks_a_bounded_set_and_says_there_are_more(ranked, monkeypatch):
    """Paged by 2: while the matches fit the ranked reach, page after page is every match
    ranked as the stored texts say (for two readers). With a reach of 4, the pages begin
    with one ranking of the matches read, the words typed side by side first, and go on
    with the others: every match once. Past the counted limit the count stops there and
    says so."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    ranked.plan([{"ref": str(n), "title": title, "lead": [KSTTHC] if n % 2 else [TTPV], "due": "2024-06-28"}
                 for n, title in enumerate(["Sổ tay hoa văn", "Hoa sổ mũi", "Sổ hoa tay", "Số hóa sổ sách",
                                            "Sổ sách hoa quả", "Số hóa văn bản", "Hóa đơn số"] * 2, 1)])
    for user in ("theodoi", "truong.kstthc"):
        ids, pages = every_page(ranked, "số hóa", user)
        readable = {t.id for found in pages for t in found.tasks}
        assert ids == [i for i in best_first(ranked, "số hóa") if i in readable] and not pages[0].more, user
    everything = best_first(ranked, "so hoa")
    assert every_page(ranked, "so hoa", "theodoi")[0] == everything and len(everything) == 17

    monkeypatch.setattr(progress_queries, "SEARCH_REACH", 4)
    for query in ("số hóa", "so hoa"):
        ids, pages = every_page(ranked, query, "theodoi")
        assert pages[0].listed == len(best_first(ranked, query)) and not pages[0].more
        assert sorted(ids) == sorted(best_first(ranked, query)), "every match, once"
        assert ids[:4] == [i for i in best_first(ranked, query) if i in ids[:4]], "one ranking of those read"
    top = search_tasks(ranked.uow(), "số hóa", TODAY).tasks
    assert len(top) == 2 and all(t.title.startswith("Số hóa") for t in top), "side by side, as typed, first"

    monkeypatch.setattr(search, "SEARCH_COUNTED", 5)
    found = search_tasks(ranked.uow(), "so hoa", TODAY, user_id=ranked.users["theodoi"], page=3)
    assert found.more and found.listed == 5 and found.pages == 3 and len(found.tasks) == 2  # a full page


def test_the_other_keys_are_tested_only_where_the_typed_phrase_is_missing(ranked):
    """Best first as the stored texts say, over tasks of each mix of the keys (the phrase
    as typed, some of its words as typed, the folded phrase); on SQLite a task holding
    the phrase as typed ranks as holding each of its words and the folded phrase without
    a LIKE of them (the LIKEs SQLite runs counted by pattern): they are run for the other
    matches only."""
    ranked.plan([{"ref": str(n), "title": title, "lead": [KSTTHC], "due": "2024-06-28"}
                 for n, title in enumerate(["Số hóa sổ sách", "Sổ hoa", "Hóa đơn số", "Số liệu hóa chất",
                                            "Số hóa và số hóa", "Sổ hóa đơn"], 1)])
    tested: Counter[str] = Counter()
    engine = ranked.storage.engine
    if engine.dialect.name == "sqlite":
        def like(pattern: str, value: str, escape: str) -> bool:
            tested[pattern] += 1
            return re.sub(f"{re.escape(escape)}(.)", r"\1", pattern[1:-1]).lower() in (value or "").lower()

        engine.dispose()  # (each new connection with its counting LIKE)
        event.listen(engine, "connect", lambda conn, _: conn.create_function("like", 3, like))
    found = [t.id for t in search_tasks(ranked.uow(), "số hóa", TODAY).tasks]
    assert found == best_first(ranked, "số hóa") and len(found) == 9
    if engine.dialect.name == "sqlite":
        t = orm.plan_tasks.c
        with engine.connect() as conn:
            texts = conn.execute(select(t.search_text).where(t.id.in_(found))).scalars().all()
        without = sum(" số hóa " not in text for text in texts)
        assert tested["% số hóa %"] == len(found) and 0 < without < len(found)
        assert tested["% số %"] == tested["% hóa %"] == tested["% so hoa %"] == without


def test_a_typed_phrase_whose_folding_is_not_the_folded_phrase_still_ranks_by_the_folded_phrase(ranked):
    """"½" is a word as typed, "1 2" folded (`fold` gives "1⁄2"): a task holding "số ½ hóa"
    does not hold the folded phrase "so 1 2 hoa", and ranks after one holding both, before
    one holding the folded phrase alone."""
    ranked.plan([{"ref": ref, "title": title, "lead": [KSTTHC], "due": "2024-06-28"}
                 for ref, title in [("typed", "Số ½ hóa"), ("folded", "Sổ 1 2 hoa"), ("both", "Số ½ hóa và sổ 1 2 hoa")]])
    assert [ref for ref in refs(ranked, "số ½ hóa") if not ref.isdigit()] == ["both", "typed", "folded"]


def test_the_search_page_says_when_there_are_more_than_it_counted(world, monkeypatch):
    _, _, app = world
    monkeypatch.setattr(search, "SEARCH_COUNTED", 1)
    client = app.test_client()
    login(client, "theodoi")
    html = client.get("/search?q=cai+cach").get_data(as_text=True)
    assert "Tìm thấy hơn 1 nhiệm vụ" in html and "Tìm thấy 1 nhiệm vụ" not in html


# --- the next page read from where its page before ended ---------------------------------

def every_page_onwards(office, query: str, user: str) -> tuple[list[int], list]:
    """Page after page as the page's "next" link reads them: with the first page's count
    and where the page before ended."""
    pages = [search_tasks(office.uow(), query, TODAY, user_id=office.users[user])]
    while pages[-1].page < pages[-1].pages:
        before = pages[-1]
        assert before.next_after is not None, before
        pages.append(search_tasks(office.uow(), query, TODAY, user_id=office.users[user], page=before.page + 1,
                                  counted=before.found, after=before.next_after))
    return [t.id for found in pages for t in found.tasks], pages


def test_pages_read_on_from_where_the_page_before_ended_are_the_pages_counted_from_the_start(ranked, monkeypatch):
    """Paged by 2, with a reach of 4 and of 1,000: each next page read from the place its
    page before ended (keyset) holds what the page of that number holds, through the
    ranked matches and the others past them: every match once, for two readers; and it
    neither counts again nor skips an OFFSET of rows."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    ranked.plan([{"ref": str(n), "title": title, "lead": [KSTTHC] if n % 2 else [TTPV], "due": "2024-06-28"}
                 for n, title in enumerate(["Sổ tay hoa văn", "Hoa sổ mũi", "Sổ hoa tay", "Số hóa sổ sách",
                                            "Sổ sách hoa quả", "Số hóa văn bản", "Hóa đơn số"] * 2, 1)])
    for reach in (1000, 4):
        monkeypatch.setattr(progress_queries, "SEARCH_REACH", reach)
        for query, user in (("số hóa", "theodoi"), ("so hoa", "theodoi"), ("so hoa", "truong.kstthc")):
            onwards, pages = every_page_onwards(ranked, query, user)
            assert onwards == every_page(ranked, query, user)[0], (reach, query, user)
            assert len(set(onwards)) == len(onwards) == pages[0].listed and len(pages) > 3, (reach, query, user)
    first = search_tasks(ranked.uow(), "so hoa", TODAY)
    second = search_tasks(ranked.uow(), "so hoa", TODAY, page=2, counted=first.found, after=first.next_after)
    with sent_statements(ranked.storage.engine) as sent:
        third = search_tasks(ranked.uow(), "so hoa", TODAY, page=3, counted=first.found, after=second.next_after)
    assert third.tasks and not [s for s in sent if "count(" in s.lower()], sent  # the first page's count
    [page] = [s for s in sent if "plan_task_words" in s or "search_words" in s]
    # the others from the last one's id on (on SQLite, in the word index itself)
    assert ("plan_task_words.rowid > " if ranked.storage.engine.dialect.name == "sqlite"
            else "plan_tasks.id > ") in page, page
    if ranked.storage.engine.dialect.name == "postgresql":  # (SQLite's LIMIT always has an OFFSET, here 0)
        assert "OFFSET" not in page.upper(), page


def test_the_others_are_read_by_the_word_index_from_past_the_ranked_matches(sqlite_url, monkeypatch):
    """On SQLite the matches past the ranked ones are read from the last ranked match on:
    FTS5 starts its scan at the first of its rowid's bounds from below and tests the others
    on each match it reads, so that bound comes before the reader's range (`reader_range`),
    and a page read on from the page before (keyset) has one bound, the larger of the two."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    monkeypatch.setattr(progress_queries, "SEARCH_REACH", 4)
    office = make_office(sqlite_url)
    office.plan([{"ref": str(n), "title": "Số hóa sổ sách", "lead": [KSTTHC], "due": "2024-06-28"} for n in range(1, 15)])
    user = office.users["truong.kstthc"]

    def first_bound(read) -> tuple:
        """The others' first bound from below on the word index's rowid, in the page's statement."""
        with sent_statements(office.storage.engine) as sent:
            found = read()
        [page] = [s for s in sent if "plan_task_words" in s and "count(" not in s.lower()]
        others = page[page.rindex("plan_task_words MATCH"):]
        return found, re.search(r"plan_task_words\.rowid >=? (max\(\(SELECT max|\(SELECT max|\?)", others).group(0)

    first, bound = first_bound(lambda: search_tasks(office.uow(), "so hoa", TODAY, user_id=user))
    assert first.pages > 3 and bound.startswith("plan_task_words.rowid > (SELECT max"), bound
    second, bound = first_bound(lambda: search_tasks(office.uow(), "so hoa", TODAY, user_id=user, page=2,
                                                     counted=first.found, after=first.next_after))
    assert second.tasks and bound.startswith("plan_task_words.rowid > max((SELECT max"), bound
    assert [t.id for t in second.tasks] == [t.id for t in search_tasks(office.uow(), "so hoa", TODAY, user_id=user,
                                                                         page=2).tasks]


def test_the_search_page_s_next_link_reads_on_from_where_it_ended(world, monkeypatch):
    _, _, app = world
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    client = app.test_client()
    login(client, "theodoi")
    html = client.get("/search?q=cai+cach").get_data(as_text=True)
    [link] = re.findall(r'href="([^"]+)" rel="next"', html)
    link = link.replace("&amp;", "&")
    assert "n=2" in link and "after=" in link and "page=2" in link, link
    second = client.get(link).get_data(as_text=True)
    assert second.count('<tr data-task="') == 1 and "Trang 2 / 2" in second
    first_task = re.findall(r'<tr data-task="(\d+)"', html)
    assert re.findall(r'<tr data-task="(\d+)"', second) != first_task
    offset_page = client.get("/search?q=cai+cach&page=2").get_data(as_text=True)
    assert re.findall(r'<tr data-task="(\d+)"', offset_page) == re.findall(r'<tr data-task="(\d+)"', second)
