"""Full-text search: the words matched through the word index, and the matches ranked.

The tasks holding a search's words, through SQLite's FTS5 table or PostgreSQL's stored
words (`with_words`, `matching`), among a reader's readable tasks read first
(`matches_statement`) or tested on the word index itself (`readable_matches`,
`readable_rowid`), from the reader's first task to their last (`reader_range`), and
best first (`best_first`: the first matches ranked by how they hold the words, the
others in the index's order).
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from adapters.storage.reads.reader_scope import Way, readable_reads, reader_ways
from adapters.storage.reads.statement_shapes import AmongIds
from adapters.storage.reads.task_states import by_state
from engine.reading.progress import TaskScope
from engine.text_folding import fold

_t = orm.plan_tasks


def with_words(words: list[str], sqlite: bool) -> Any:
    """The ids of the tasks whose folded text holds every one of `words` (folded, `\\w+`
    each) as a whole word, through the database's word index (migrations 0009, 0020)."""
    if sqlite:
        return (text("SELECT rowid FROM plan_task_words WHERE plan_task_words MATCH :match")
                .bindparams(match=_fts_query(words)).columns(id=Integer))
    return select(_t.c.id).where(_ts_match(words))


def _fts_query(words: list[str], side_by_side: bool = False) -> str:
    """SQLite FTS5: quoted terms, all required; or one quoted string of them, a phrase."""
    return f'"{" ".join(words)}"' if side_by_side else " ".join(f'"{word}"' for word in words)


def _ts_match(words: list[str], side_by_side: bool = False, bound: bool = False) -> Any:
    """PostgreSQL: the stored and indexed words (migration 0020) hold every one of `words`,
    or (`side_by_side`) them in this order, one after the other; the words `bound` for a
    count (`matching`), else written into the statement."""
    # Written in (they are in its shape already): bound, once psycopg prepared a search run
    # five times on a connection, PostgreSQL's generic plan could not estimate the match
    # and read a page ten times slower.
    query = literal((" <-> " if side_by_side else " & ").join(words), String, literal_execute=not bound)
    wanted = func.to_tsquery(literal_column("'simple'"), query)
    return literal_column("plan_tasks.search_words").op("@@")(wanted)


def best_first(scope: TaskScope, conditions: list[Any], reach: Any, sqlite: bool,
               after: tuple[Any, Any, Any] | None = None, part: int = 0, words_from: Any = None) -> Any:
    """The order of a search's matches (`conditions`: on `plan_tasks`, but the words), as
    (`id`, `rest`, `rank`) rows, as many as a page `reach`es: best first (`_relevance`),
    those of the first `search_reach` matches with the words side by side (the ones the
    ranking puts first) and of the first `search_reach` with every word, in the word
    index's order (`matching`); then the other matches in that order. All of them ranked
    when there are no more; else no more than a bounded set is read, whatever the number
    of matches. A match's place in that order is (`rest`, `rank`): the others are ranked
    by their ids. A reader's matches read first (`TaskScope.matches`, no more than
    `search_reach`: `ProgressQueries._search_bound`) are each ranked, the word index
    not read again.

    Each ranked read is read once (a CTE, named for the page's `part`, its WITH in the
    returned subquery): the others are the matches past the last of the first with
    every word (those before it are all among them; none past it when they were fewer
    than `search_reach`), but those with the words side by side. Written as NOT IN the
    ranked reads, both ran again for it, and the others' read went through the first
    matches again (at 20,000 tasks a staff member's first page read 4,000 matches, each
    tested against the reading rule, for 50: 14.7 ms of SQL, 9.8 read once).

    `after` (whether the place is among the ranked, its rank there, else its id), for a
    page that follows a place (keyset): only what comes after it, `reach` of the others
    from that id on, in the word index's order; a deep page then reads its own rows, not
    every match before it.

    `words_from`, on SQLite, the word index joined to what `conditions` read with it
    (`_search_reads`)."""
    words, tier, ids = list(scope.words), planned_with("search_reach", sqlite), ids_of(scope)
    every = (matching(words, conditions, sqlite, among=ids, words_from=words_from).limit(tier)
             .cte(f"every_{part}").prefix_with("MATERIALIZED"))
    reads = [every]
    if len(words) > 1 and ids is None:
        phrase = matching(words, conditions, sqlite, side_by_side=True, words_from=words_from).limit(tier)
        reads.insert(0, phrase.cte(f"phrase_{part}").prefix_with("MATERIALIZED"))
    ranked = union_all(*(select(read.c.id) for read in reads)) if len(reads) > 1 else select(every.c.id)
    # PostgreSQL looks `= ANY(ARRAY(...))` up id by id; as IN it may hash every task.
    in_ranked = (_t.c.id.in_(ranked) if sqlite
                 else _t.c.id == any_(func.array(select(ranked.subquery()).scalar_subquery())))
    best = select(_t.c.id, literal_column("0").label("rest"), func.row_number().over(
        order_by=[*_relevance(scope), _t.c.plan_id, _t.c.position, _t.c.id]).label("rank")).where(in_ranked).subquery()
    ranked_part = select(best).where(after[0] == 1, best.c.rank > after[1]) if after else select(best)
    if ids is not None:
        return ranked_part.add_cte(every, nest_here=True).subquery()
    from_id, last_ranked = _match_id(sqlite), select(func.max(every.c.id)).scalar_subquery()
    past = [from_id > last_ranked, *([from_id > after[2]] if after else [])]
    if after and sqlite:  # (one bound: SQLite's max() of a NULL is NULL, as the two were)
        past = [from_id > func.max(last_ranked, after[2])]
    if len(reads) > 1:
        past.append(from_id.not_in(select(reads[0].c.id)))
    # Past the ranked first, before the reader's range (`reader_range`): FTS5 starts its scan
    # at the first bound from below on its rowid only and tests the others on each match, so
    # it read the others from the reader's first id, each match before the ranked ones tested
    # against the reading rule again. At 20,000 open on SQLite (CPU, old and new alternated,
    # 30 rounds, a shared machine) the staff member's overdue page took 23.3 -> 19.6 ms (29
    # won), a keyset page 150 of theirs 8.2 -> 5.8 and of the monitor's 3.7 -> 2.4 (30 won
    # each); others even. On PostgreSQL only the conditions' order changed (even).
    others = matching(words, [*past, *conditions], sqlite, words_from=words_from).limit(reach).subquery()
    rest = select(others.c.id, literal_column("1").label("rest"), others.c.id.label("rank"))
    # (its WITH inside: the statement still begins with SELECT, a read-only unit's test)
    return union_all(ranked_part, select(rest.subquery())).add_cte(*reads, nest_here=True).subquery()


task_words = table("plan_task_words", column("rowid", Integer))  # SQLite's FTS5 table (migration 0009)


def matching(words: list[str], conditions: list[Any], sqlite: bool, side_by_side: bool = False,
             ordered: bool = True, among: str | None = None, words_from: Any = None, bound: bool = False) -> Any:
    """The ids of the tasks holding `words` (as `with_words`; `side_by_side` as `_ts_match`)
    that `conditions` keep, in the word index's order (of ids): to read under a LIMIT,
    which then stops the index's scan (on SQLite, as a join from the FTS5 table, whose
    rowid order it gives: `id IN (its matches)` would collect them all first). Not
    `ordered`, for a count: in any order, and on SQLite from the word index alone when no
    condition needs the task (its rows are the tasks', kept by triggers): a count of
    10,000 matches joined to their tasks took three times as long. Ordered, too: a search's
    page read its 2,000 ranked matches joined to their tasks in 20.8 ms at 20,000 tasks,
    16.2 from the word index alone (the tasks' rows are long: their words twice).

    `among`, the name of the matches bound, read first (`TaskScope.matches`): each task
    looked up by its id, the word index not read. `words_from`: `_fts_matching`'s.

    `bound`, on PostgreSQL, the words bound (`_ts_match`): for a count
    (`count_statement`)."""
    if among:
        query = select(_t.c.id).where(AmongIds(_t.c.id, among), *conditions)
    elif not sqlite:
        query = select(_t.c.id).where(_ts_match(words, side_by_side, bound), *conditions)
    else:
        return _fts_matching(words, conditions, side_by_side, ordered, words_from)
    return query.order_by(_t.c.id) if ordered else query


def _fts_matching(words: list[str], conditions: list[Any], side_by_side: bool, ordered: bool,
                  words_from: Any = None) -> Any:
    """`matching` on SQLite, from its word index (or `words_from`: the index joined to
    what `conditions` read with it, `words_looked_up`)."""
    words_from = task_words if words_from is None else words_from
    match = literal_column("plan_task_words").op("MATCH")(literal(_fts_query(words, side_by_side)))
    alone = select(task_words.c.rowid.label("id")).select_from(words_from).where(match, *conditions)
    read = [task for task in (_t, by_state) if task in alone.get_final_froms()]
    if not read:  # (no condition reads the task: the word index alone)
        return alone.order_by(task_words.c.rowid) if ordered else alone
    for task in read:
        words_from = words_from.join(task, task.c.id == task_words.c.rowid)
    return alone.select_from(words_from).order_by(task_words.c.rowid)


def readable_matches(words: list[str], user_id: Any, unit_id: Any, of_many: bool, state: list[Any]) -> Any:
    """On SQLite, the ids of the tasks holding `words` that a reader may read, from the
    word index alone: its rowid tested among the ids the ways in read (`readable_reads`,
    one set), so that no task is read. Joined to their tasks to test the rule on each
    (`readable_by`), at 20,000 tasks 10,001 matches of a reader of every task were counted
    in 16.7 ms, 12.0 this way; the 5,000 of a reader of 5,000 tasks in 15.0 ms, 5.3.

    For a reader whose unit has more tasks than the cap (`of_many`), each rowid is looked
    up in the unit's tasks (`unit_tasks`' key) first, and only the other ways are read into
    the set: read into it, all of the unit's tasks were (100,000 for the 10,001 matches
    counted), where the look-ups cost as many as the matches read. The look-up is a LEFT
    JOIN, not a scalar subquery for each rowid: at 20,000 tasks a staff member's count
    (about 15,000 rowids looked up) took SQLite 4.5 ms as subqueries, 3.9 joined. (Not a
    plain JOIN: SQLite then reads the unit's tasks first, each a look-up in the word
    index, 1.6 s at 100,000 tasks.)

    `state`: conditions on `by_state` (the task's state on a day), each match joined to
    it by the rowid; or on the rowid itself (`in_state_ids`)."""
    match = literal_column("plan_task_words").op("MATCH")(literal(_fts_query(words)))
    words_from = words_looked_up(user_id, unit_id, of_many)
    found = select(task_words.c.rowid.label("id")).where(match, readable_rowid(user_id, unit_id, of_many), *state)
    if by_state in found.get_final_froms():
        words_from = words_from.join(by_state, by_state.c.id == task_words.c.rowid)
    return found.select_from(words_from)


def _looked_up(ways: list[Way], of_many: bool) -> list[Any]:
    """The reads of `ways` looked up a rowid at a time (`readable_rowid`), if `of_many`."""
    return [way.values for way in ways if way.looked_up and of_many]


def words_looked_up(user_id: Any, unit_id: Any, of_many: bool) -> Any:
    """The word index LEFT JOINed to the reads of the reader's ways looked up a rowid at a
    time (`_looked_up`: the unit's tasks, if `of_many`), for `readable_rowid`."""
    words_from = task_words
    for values in _looked_up(reader_ways(user_id, unit_id), of_many):
        words_from = words_from.outerjoin(values.get_final_froms()[0],
                                          and_(values.whereclause, values.selected_columns[0] == task_words.c.rowid))
    return words_from


def readable_rowid(user_id: Any, unit_id: Any, of_many: bool) -> Any:
    """`readable_by` as a condition on the word index's rowid (`readable_matches`), so
    that a read of the index needs no task to test it: the unit's tasks, if `of_many`,
    found by the read's LEFT JOIN of them (`words_looked_up`), the other ways' ids read
    into one set. A search's page ranks the first matches a staff member of a unit of
    many tasks may read: with the rule on their tasks, its 2,000 matches were each joined
    to their task (at 20,000 tasks the page took SQLite 29.4 ms, 22.1 this way). Joined,
    not a scalar subquery for each rowid (SQLite runs the subquery's code again at each
    rowid): at 20,000 tasks the count (about 15,000 rowids looked up) 4.5 ms, 3.9; the
    page (about 3,000) 16.7 ms, 14.1 on a loaded machine."""
    ways = reader_ways(user_id, unit_id)
    # (`+`: a test of each rowid the index gives, never a way in: `AmongIds`)
    listed = literal_column("+plan_task_words.rowid", Integer).in_(
        union_all(*readable_reads([way for way in ways if not (way.looked_up and of_many)])))
    return or_(*(values.selected_columns[0].is_not(None) for values in _looked_up(ways, of_many)), listed)


@functools.lru_cache(maxsize=64)
def matches_statement(words: tuple[str, ...], sqlite: bool) -> Any:
    """The ids among `reader_ids` (bound, sorted; `first_id` the first, `last_id` the
    last) of the tasks holding every one of `words`: on PostgreSQL each task looked up by
    its id, its words tested; on SQLite the word index read from the first id to the
    last (FTS5 starts and stops its scan there: a reader of one plan's tasks reads that
    plan's) and its own rowid tested as it is read, so that no other task is read (FTS5
    looks a task's words up by id no cheaper than it reads them all)."""
    if not sqlite:
        return select(_t.c.id).where(_ts_match(list(words)), AmongIds(_t.c.id, "reader_ids"))
    rowid = task_words.c.rowid
    match = literal_column("plan_task_words").op("MATCH")(literal(_fts_query(list(words))))
    return select(rowid).where(match, rowid >= bindparam("first_id", type_=Integer),
                               rowid <= bindparam("last_id", type_=Integer), AmongIds(rowid, "reader_ids", driving=False))


def ids_of(scope: TaskScope) -> str | None:
    """The name the reader's matches of `scope` (`symbolic`) are bound under, if given."""
    return None if scope.matches is None else scope.matches.key  # type: ignore[attr-defined]


def in_range(scope: TaskScope) -> bool:
    """Whether a search of `scope` (after `ProgressQueries._search_bound`: a reader of more
    tasks than `READER_IDS`) reads the matches from the first task the reader may read to
    their last only (`reader_range`). A unit monitoring five plans of a hundred has its
    tasks among 5,000 ids of 100,000: the other matches were read, each tested against
    the rule, to be dropped (at 20,000 tasks, the count of such a reader's 5,000 matches
    took 83 ms on PostgreSQL, 28 in their range)."""
    return scope.reader_id is not None and bool(scope.words)


def reader_range(scope: TaskScope, sqlite: bool) -> list[Any]:
    """`in_range`'s conditions, its bounds bound (`reader_first`, `reader_last`): on SQLite
    on the word index's own rowid (FTS5 starts and stops its scan there), on PostgreSQL a
    range of the tasks' key, written in (`planned_with`: a generic plan would guess it)."""
    if not in_range(scope):
        return []
    ids = _match_id(sqlite)
    return [ids >= planned_with("reader_first", sqlite), ids <= planned_with("reader_last", sqlite)]


def _match_id(sqlite: bool) -> Any:
    """A match's id where a search reads from or up to an id: on SQLite the word index's
    own rowid (FTS5 then starts and stops its scan there), on PostgreSQL the task's key."""
    return task_words.c.rowid if sqlite else _t.c.id


def _relevance(scope: TaskScope) -> list[Any]:
    """Best match first: the words as typed side by side, how many words as typed (marks
    count only when the query has some: "số hóa" before "sổ ... hoa"), the folded words
    side by side ("so hoa" before "so ... hoa"); each a whole-word LIKE on the stored text.

    The three are one number, on both databases, and a match holding the phrase as typed
    is tested for nothing else: it holds each of its words (the phrase's pattern holds
    theirs), and the folded phrase too where folding the typed phrase gives it (the
    stored folded text is the typed text folded, and `fold` works character by
    character: the stored texts are lowercase words between single spaces, so a LIKE
    found the phrase itself). The database runs each LIKE of an ORDER BY for every ranked
    match (up to 2,000 texts of about 620 characters): at 20,000 tasks on SQLite a search
    of "nhiệm vụ", which they all hold, took 1.5 ms less with two LIKEs a match than with
    four, and 0.8 less again with one (the monitor's, paired: 7.1 ms, 5.5; 4.9, 4.1)."""
    def has(column: Any, phrase: str) -> Any:
        return case((column.contains(f" {phrase} ", autoescape=True), 1), else_=0)

    typed, folded = list(scope.typed_words), list(scope.words)
    keys = [has(_t.c.search_folded, " ".join(folded)).desc()] if folded else []
    if typed and typed != folded:
        phrase = _t.c.search_text.contains(f" {' '.join(typed)} ", autoescape=True)
        each = sum((has(_t.c.search_text, word) for word in typed[1:]), has(_t.c.search_text, typed[0]))
        # One number: the phrase above any count of words (2 a word) and the folded phrase (1).
        top = 2 * len(typed) + 3
        if not folded:
            return [case((phrase, top), else_=2 * each).desc()]
        folded_phrase = has(_t.c.search_folded, " ".join(folded))
        if fold(f" {' '.join(typed)} ") == f" {' '.join(folded)} ":  # (the typed phrase holds the folded one)
            return [case((phrase, top), else_=2 * each + folded_phrase).desc()]
        return [(case((phrase, top - 1), else_=2 * each) + folded_phrase).desc()]  # ("½" folds to "1⁄2")
    return keys
