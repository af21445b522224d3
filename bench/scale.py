"""A province's load: N open task instances stored for real (each loadable and
completable), then every row of issue 15's table measured side by side with what the
same work costs bare (the SQL alone, or SpiffWorkflow through our runtime alone), and
EXPLAIN of the inbox, sweep, dashboard, unit page and search queries.

The office is the demo directory's, its plans written as a province writes them
(`province_tasks`, seeded: the same office on every run): titles of 55-180 characters and
contents of 150-500, products, a lead unit per task (the unit head HEAD's unit about half
of them, three other units the rest), coordinating units on 4 tasks in 10, deadlines from
February to December 2024 as days, quarters, "ongoing" (a report each quarter) or none yet.
Every plan is issued a seeded 0-16 weeks before ISSUED, its deadlines on a day as many
weeks earlier (one moved so onto a holiday is the next working day). The first plans (up
to 5) go through intake on their day, then one in 4 of HEAD's tasks is assigned (audit
trails of several lines); the rest of the office is copies of those plans in turn. On the
working day some tasks are late, their reminders and escalations sent each on its own day.

    .venv/bin/python bench/scale.py --open 10000 [--url postgresql+psycopg://...] [--plan-size 1000] [--cpu]
                                    [--db built.sqlite3, or with a PostgreSQL --url: --db kept_name]

--cpu times with this process's CPU clock instead of the wall clock: on a shared
machine the wall clock measures the neighbours too. It leaves out the PostgreSQL
server's own time, so use it for SQLite (in-process) or for ratios of Python work.

--db keeps the built office and measures a copy of it: the measures complete steps and
fire timers, so each run starts from the same office. Without --url it is a SQLite file;
with a PostgreSQL --url, the name of a database on the server the URL names (the URL's
own database must exist there: the copies are made from it), each run measuring a copy
made with CREATE DATABASE ... TEMPLATE and dropped after. Absent (a fresh server), it is
built there first, then a copy of it measured; a build stopped before its end leaves
nothing to reuse. The kept office is left as it was built: its copy is brought to the
newest schema, so an older checkout can still measure it after a newer one. With a kept
office reused, every row is measured on the copy but the first, the start of a task
(plans through intake, the first into an empty database: only a build measures it); the
office summary says what the copy holds. Give the --open and --plan-size it was built
with: the rows' labels say them.

Prints figures; asserts no timing (timings belong here, not in tests). It stops only if an
inbox or search row's hand-written same data (bare 2) is not what planflow's page shows.
"""
from __future__ import annotations

import argparse
import gc
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: tests/ helpers

from sqlalchemy import Date, Integer, String, bindparam, create_engine, func, literal_column, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from adapters.demo.directory import MONITOR_UNIT  # noqa: E402
from adapters.storage import orm  # noqa: E402
from engine.access import task_access  # noqa: E402
from engine.clock import FixedClock, to_storage  # noqa: E402
from engine.deadlines import sweep  # noqa: E402
from engine.model import Plan, PlanTask, WorkItem  # noqa: E402
from engine.process import instances  # noqa: E402
from engine.reading import plan_pages, progress, search, unit_work  # noqa: E402
from engine.reading.progress import SEARCH_COUNTED, SEARCH_REACH  # noqa: E402
from engine.reading.search_text import words  # noqa: E402
from engine.tasks import inbox, steps  # noqa: E402
from engine.tasks import intake  # noqa: E402
from engine.tasks.intake import _heap_left_out, start_data  # noqa: E402
from engine.text_folding import fold  # noqa: E402
from tests.support.deadlines import office_clock  # noqa: E402
from tests.support.office import KSTTHC, TTPV, clock_on, make_office, open_office  # noqa: E402
from tests.support.statements import sent_statements, sent_with_parameters  # noqa: E402

ISSUED, WORK_DAY, ALL_DUE = date(2024, 1, 15), date(2024, 1, 16), date(2024, 4, 30)
HEAD, STAFF, MONITOR = "truong.kstthc", "cv.kstthc", "theodoi"
OTHER_STAFF = "cv.cbth"  # of a unit that takes part in no task of the built office
MONITORING_STAFF = "cv.ttpv"  # of a unit taking part in no task, made to monitor MONITORED plans (`monitored`)
MONITORED = 5
SAMPLE = 100  # steps completed, instances fired: enough for a median
SWEEP_BATCHES = SAMPLE // sweep.BATCH  # the sweep row's timed batches: as many instances as the bare fires
FOLDS = 20  # steps each followed by a fold of the count rows
SEARCHED = "nhiệm vụ"  # words every task of the office holds (its plan's title), typed with their marks
now_ms = time.perf_counter  # or time.process_time (--cpu)


def settled() -> None:
    """Collect the garbage of what ran before: else a full collection (its cost grows with
    the whole heap, here the build's copies) lands in whichever measure comes next."""
    gc.collect()


# Calls made before a measure's timed ones: a server runs each read many times a minute,
# so its figures are those of warm caches. The first calls of a statement pay for what a
# running server paid once: SQLAlchemy's and the cursor path's compiling, and on
# PostgreSQL psycopg's preparing (on a statement's fifth run on a connection) and the
# server's planning: a prepared statement is planned for its parameters on each of its
# first five runs before PostgreSQL settles on a generic plan, so a statement is steady
# from about its tenth run. Without them the first measure of each read counted these,
# its p95 above all (at 20k, the staff inbox's 31.4 ms against 4.6 ms when measured again).
WARM_UP = 12


def per_call(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and p95 of `runs` calls, in ms, after `WARM_UP` calls not timed."""
    for _ in range(WARM_UP):
        action()
    settled()
    times = []
    for _ in range(runs):
        started = now_ms()
        action()
        times.append(1000 * (now_ms() - started))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def row(label: str, ours: float, bare: float, unit: str = "ms", note: str = "") -> None:
    ratio = ours / bare if bare else float("inf")
    print(f"| {label} | {ours:.2f} {unit} | {bare:.2f} {unit} | {ratio:.1f}× | {note} |")


# The office's plans as a province writes them (`province_tasks`), from phrase lists of
# our own, seeded so that every run builds the same office: titles of 55-180 characters,
# contents of a few hundred, products, one lead unit per task (the unit head's unit the
# largest share, so the head's inbox stays the largest), coordinators on some, deadlines
# from February to December with some "within the quarter", "ongoing" and undated ones.
# No task falls due within two weeks of its plan's issue (deadlines from February for a
# plan issued on ISSUED; the first rung fires 3 working days before a deadline), while
# ALL_DUE finds about a third of the tasks past a rung. Plans are issued earlier
# (`issued_earlier`), so some of their tasks are late on WORK_DAY: the build sweeps each
# day up to WORK_DAY, as the scheduler would have, so those tasks' rungs are fired (each
# notice dated its day) and the idle sweep finds nothing due. The office's late tasks are
# counted and printed (`office_summary`). CBTH and TTPV lead and coordinate nothing: OTHER_STAFF and
# MONITORING_STAFF read only what their rows say they read.
LEADS = [(KSTTHC, 55), ("Phòng Tổng hợp", 20), ("Ban Tiếp công dân tỉnh", 15), ("Sở Thông tin và Truyền thông", 10)]
DIRECTORS = ("chanhvp", "phochanhvp")
HISTORY_EVERY = 4  # one in 4 of the head's tasks assigned already (to HISTORY_STAFF): audit trails of several lines
HISTORY_STAFF = "cv.kstthc2"  # not STAFF, whose inbox and person page hold the measured steps alone
FIRST_DUE, LAST_DUE = date(2024, 2, 1), date(2024, 12, 31)
DUE_ON_A_DAY = "Trước ngày {:%d/%m/%Y}"  # a deadline on a day, as written (a copy issued earlier moves it)
EARLIER_WEEKS = 16  # a plan is issued 0 to this many weeks before ISSUED (seeded per plan, `issued_earlier`)
QUARTERS = {"I": date(2024, 3, 31), "II": date(2024, 6, 30), "III": date(2024, 9, 30), "IV": date(2024, 12, 31)}
ACTIONS = ("Rà soát, đánh giá", "Triển khai thực hiện", "Xây dựng và trình ban hành", "Tổ chức kiểm tra việc thực hiện",
           "Đẩy mạnh", "Hoàn thiện", "Tham mưu Ủy ban nhân dân tỉnh chỉ đạo", "Theo dõi, đôn đốc",
           "Nâng cao chất lượng", "Công khai, minh bạch")
SUBJECTS = ("quy trình nội bộ giải quyết thủ tục hành chính", "việc tiếp nhận và trả kết quả hồ sơ trực tuyến",
            "cơ sở dữ liệu phản ánh, kiến nghị của người dân", "chế độ báo cáo định kỳ của các cơ quan",
            "việc số hóa hồ sơ và kết quả giải quyết thủ tục", "hệ thống thông tin giải quyết thủ tục hành chính",
            "danh mục dịch vụ công trực tuyến toàn trình", "công tác văn thư, lưu trữ điện tử",
            "việc đo lường mức độ hài lòng của tổ chức, cá nhân", "kỷ luật, kỷ cương hành chính trong thực thi công vụ")
SCOPES = ("tại các sở, ban, ngành", "trên địa bàn tỉnh", "ở cấp huyện và cấp xã", "tại Bộ phận Một cửa các cấp",
          "trong năm 2024", "theo chỉ đạo của Chính phủ")
PURPOSES = ("nhằm giảm thời gian và chi phí cho người dân, doanh nghiệp", "bảo đảm đúng quy định và thời hạn",
            "gắn với chuyển đổi số của tỉnh", "phục vụ chỉ đạo, điều hành của lãnh đạo tỉnh", "")
SENTENCES = ("Chủ động rà soát các nội dung thuộc phạm vi quản lý, đề xuất phương án xử lý vướng mắc phát sinh "
             "trong quá trình thực hiện nhiệm vụ.",
             "Phân công cán bộ đầu mối theo dõi, cập nhật tiến độ thực hiện hằng tháng trên hệ thống.",
             "Phối hợp với các đơn vị liên quan thống nhất nội dung trước khi trình lãnh đạo xem xét, quyết định.",
             "Tổng hợp khó khăn, kiến nghị giải pháp tháo gỡ và báo cáo kết quả về Văn phòng Ủy ban nhân dân tỉnh.",
             "Kinh phí thực hiện bố trí từ nguồn ngân sách đã giao trong dự toán của đơn vị.",
             "Định kỳ đánh giá kết quả, rút kinh nghiệm và nhân rộng những cách làm hiệu quả.",
             "Bảo đảm thông tin được cập nhật đầy đủ, chính xác, kịp thời và đúng thẩm quyền.")
THEMES = ("cải cách hành chính", "chuyển đổi số", "kiểm soát thủ tục hành chính", "tiếp công dân")
PRODUCTS = ("Báo cáo kết quả thực hiện", "Văn bản hướng dẫn", "Quyết định phê duyệt", "Kế hoạch chi tiết",
            "Tờ trình kèm dự thảo văn bản", "")


def province_tasks(office, size: int, seed: int, calendar=None, earlier: timedelta = timedelta(0)) -> list[PlanTask]:
    """`size` tasks of a plan in the genre, the same for the same `seed`: of a plan issued
    `earlier` than ISSUED, its deadlines on a day as much earlier (`_moving`, on the
    office's `calendar`)."""
    rng = random.Random(seed)
    names, weights = zip(*LEADS)
    tasks = []
    for n in range(1, size + 1):
        lead = rng.choices(names, weights)[0]
        others = [name for name in names if name != lead]
        coordinators = rng.sample(others, rng.randint(1, len(others))) if rng.random() < 0.4 else []
        schedule, deadline_text = _deadline(rng, lambda day: _moving(calendar, day, earlier)(day) if earlier else day)
        title = " ".join(filter(None, (rng.choice(ACTIONS), rng.choice(SUBJECTS), rng.choice(SCOPES),
                                       rng.choice(PURPOSES))))
        tasks.append(PlanTask.with_units(
            ref=str(n), title=title, content=" ".join(rng.sample(SENTENCES, rng.randint(2, 5))),
            product=rng.choice(PRODUCTS), deadline_text=deadline_text, schedule=schedule,
            lead=[office.units[lead]], coordinators=[office.units[name] for name in coordinators],
            director_user_id=office.users[rng.choice(DIRECTORS)]))
    return tasks


def _deadline(rng: random.Random, moved: Callable[[date], date]) -> tuple[dict[str, Any], str]:
    """A schedule and its deadline as written: mostly a day (the day drawn, `moved`), else
    a quarter, "ongoing" or none yet."""
    pick = rng.random()
    if pick < 0.06:
        return {"kind": "unresolved", "due": [], "every": None, "until": None}, "Theo chỉ đạo của Ủy ban nhân dân tỉnh"
    if pick < 0.18:
        return {"kind": "ongoing", "due": [], "every": None, "until": LAST_DUE.isoformat()}, "Thường xuyên"
    if pick < 0.32:
        quarter = rng.choice(list(QUARTERS))
        return {"kind": "once", "due": [QUARTERS[quarter].isoformat()], "every": None, "until": None}, \
            f"Trong quý {quarter} năm 2024"
    day = moved(FIRST_DUE + timedelta(days=rng.randrange((LAST_DUE - FIRST_DUE).days + 1)))
    return {"kind": "once", "due": [day.isoformat()], "every": None, "until": None}, DUE_ON_A_DAY.format(day)


def with_history(office, clock, plan_id: int) -> None:
    """One in HISTORY_EVERY of the head's assign steps of the plan completed, as a head
    hands out work in the first days of a plan."""
    for item in head_assigning(office, plan_id)[::HISTORY_EVERY]:
        steps.complete_step(office.uow(), item.id, office.users[HEAD], {"assignee": office.users[HISTORY_STAFF]},
                            clock=clock)


def head_assigning(office, plan_id: int, unit: str = KSTTHC) -> list[WorkItem]:
    """The plan's assign steps waiting for `unit`'s head (the head handing a task to one of
    the unit's staff): the steps the "complete a step" row completes."""
    return [i for i in office.ready(plan_id) if i.form == "assign" and i.candidate_unit_id == office.units[unit]]


def build(office, clock, total: int, plan_size: int) -> tuple[list[int], Starts]:
    """The first plans through intake, each alternated with the bare start of its tasks
    (`start_rounds`: the "start a task" row) and given its history (`with_history`), then
    copies of them in turn until `total` open instances are stored (`copy_plan`)."""
    first = min(plan_size, total)
    with office.uow() as uow:
        calendar = instances.calendar(uow)
    plan_ids, starts = start_rounds(office, clock, calendar, first, max(1, min(START_ROUNDS, total // first)))
    print(f"  built {first * len(plan_ids)} / {total} open instances through intake", file=sys.stderr)
    templates = Templates(office.storage.engine, calendar, list(plan_ids))
    while sum(templates.sizes(plan_ids)) < total:
        count = min(plan_size, total - sum(templates.sizes(plan_ids)))
        plan_ids.append(templates.copy_plan(count, number=f"{len(plan_ids) + 1}/KH-SCALE"))
        print(f"  built {sum(templates.sizes(plan_ids))} / {total} open instances", file=sys.stderr)
    templates.finish()  # before the sweep: on PostgreSQL its rows take ids from the sequences
    started = time.perf_counter()
    first_day, fired = sweep_each_day(office, clock)
    clock.on(ISSUED)
    print(f"  swept each day from {first_day} to {WORK_DAY}: {fired} instances in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    office.storage.compact_inbox_counts()  # the scheduler folds the inbox's count rows after changes
    settle_bulk_load(office.storage.engine)
    return plan_ids, starts


def sweep_each_day(office, clock) -> tuple[date, int]:
    """The late tasks' rungs fired as the scheduler would have, each on its own day (its
    notices dated that day): a sweep on every day from the first timer due to WORK_DAY.
    The first day and the instances fired."""
    i = orm.process_instances
    with office.storage.engine.connect() as conn:
        timer = conn.scalar(select(func.min(i.c.next_timer_at)).where(i.c.status == "running"))
    first = min(timer.date(), WORK_DAY) if timer else WORK_DAY
    day, fired = first, 0
    while day <= WORK_DAY:
        fired += sweep.sweep(office.uow, clock=FixedClock(clock.on(day).now())).instances
        day += timedelta(days=1)
    return first, fired


# Rounds of the start row: each a whole plan's intake and the bare start of as many tasks.
START_ROUNDS = 5


@dataclass
class Starts:
    """ms per task of each round's intake and of its bare starts, paired by round."""

    planflow: list[float]
    bare: list[float]

    def row(self, label: str, note: str) -> None:
        ratios = [ours / bare for ours, bare in zip(self.planflow, self.bare)]
        if len(ratios) > 1:
            note += f"; median of {len(ratios)} rounds, ratio per round {min(ratios):.1f}–{max(ratios):.1f}×"
        row(label, statistics.median(self.planflow), statistics.median(self.bare), note=note)


def start_rounds(office, clock, calendar, size: int, rounds: int) -> tuple[list[int], Starts]:
    """`rounds` plans of `size` tasks through intake (the first into an empty database),
    each issued a seeded number of weeks early (`issued_earlier`) as the copies are, and
    each paired with `size` bare starts of its tasks' data: in the same heap, each after a
    full collection, alternately before and after the intake (round 1's bare needs the
    process version its intake deploys, so it comes after)."""
    plan_ids: list[int] = []
    starts = Starts([], [])
    for n in range(rounds):
        if n % 2:
            starts.bare.append(bare_starts(office, clock, plan_ids[-1]))
        plan_id, ms = through_intake(office, size, n + 1, calendar, issued_earlier(f"intake {n + 1}"))
        plan_ids.append(plan_id)
        starts.planflow.append(ms)
        if not n % 2:
            starts.bare.append(bare_starts(office, clock, plan_id))
    for plan_id in plan_ids:  # after every round: a round's bare starts its tasks as intake found them
        with_history(office, clock, plan_id)
    return plan_ids, starts


def through_intake(office, size: int, number: int, calendar=None,
                   earlier: timedelta = timedelta(0)) -> tuple[int, float]:
    """The office's plan `number`, of `size` tasks, through intake (one unit of work,
    committed) on the day it is issued, `earlier` than ISSUED (its deadlines on a day as
    much earlier, `_moving` on `calendar`): its id, and its ms per task."""
    issued = ISSUED - earlier
    plan = Plan(title=f"Kế hoạch thực hiện nhiệm vụ {THEMES[number % len(THEMES)]} năm 2024", year=ISSUED.year,
                number=f"{number}/KH-SCALE", issued_on=issued, monitor_unit_id=office.units[MONITOR_UNIT])
    tasks = province_tasks(office, size, number, calendar, earlier)
    settled()
    started = now_ms()
    plan_id = intake.create_plan(office.uow(), plan, tasks, clock=clock_on(issued))
    return plan_id, (now_ms() - started) * 1000 / size


def bare_starts(office, clock, plan_id: int) -> float:
    """ms per task of SpiffWorkflow alone starting the plan's tasks (create + run +
    serialize, each with its task's start data), in the garbage collector's state intake
    runs its starts in (`_heap_left_out`: the heap before them frozen)."""
    with office.uow() as uow:
        rt = instances.runtime(uow, clock)
        tasks = uow.tasks.for_plan(plan_id)
        spec = instances.spec(uow, uow.instances.for_task(tasks[0].id).process_version_id)
        plan = uow.plans.get(plan_id)
        data = [start_data(plan, task) for task in tasks]
    settled()
    with _heap_left_out():
        started = now_ms()
        for one in data:
            wf, _ = rt.start_with_notices(spec, one)
            rt.dumps(wf)
        return (now_ms() - started) * 1000 / len(data)


def settle_bulk_load(engine) -> None:
    """On PostgreSQL, what autovacuum does within a minute of a bulk load: statistics of
    the copied rows and their visibility map. Measured before it runs, a read pays the
    first reader's hint-bit writes and plans on empty statistics; a running office's
    tables have been vacuumed. SQLite keeps neither."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TASK_ID = re.compile(r'("plan_task_id": ?)\d+')


class Templates:
    """Copies of a started plan, stored with ids of their own: each task's rows (the
    task, its units, its instance, work items, audit events and arrivals) copied with
    every id remapped, and in each instance's state every workflow task UUID replaced
    by a fresh one (work items follow) and its own `plan_task_id`: a real state that
    loads and completes like the one it was copied from, stored by bulk inserts.

    Each copy is a plan issued a seeded number of weeks (0 to EARLIER_WEEKS, `issued_earlier`)
    before ISSUED, earlier or later than its source: its tasks due on a day are due as many
    weeks earlier, in every column and every date of the state (its deadline, periods and
    timers), as `_moving` moves them; tasks due in a quarter, "ongoing" or undated keep
    the plan year's deadlines."""

    TABLES = ("plans", "plan_tasks", "task_units", "process_instances", "work_items", "audit_events", "arrivals")

    def __init__(self, engine, calendar, intaken: list[int]) -> None:
        """Copies of the `intaken` plans in turn, all of one size; `calendar`: the office's."""
        self.engine = engine
        self.calendar = calendar
        # On PostgreSQL a list of rows is inserted one statement a row (psycopg's
        # executemany), so the statement triggers of `task_units` and `work_items` (each
        # reading its statement's rows as one table) ran once a row: 5 ms a task_units
        # row. With RETURNING, SQLAlchemy sends up to 1000 rows a statement. SQLite's
        # triggers are per row, and its executemany as fast.
        self.many_rows_a_statement = engine.dialect.name == "postgresql"
        with engine.connect() as conn:
            def rows(table, column, ids):
                return [dict(r._mapping) for r in conn.execute(select(table).where(column.in_(ids)))]
            self.plans = rows(orm.plans, orm.plans.c.id, intaken)
            self.tasks = rows(orm.plan_tasks, orm.plan_tasks.c.plan_id, intaken)
            task_ids = [task["id"] for task in self.tasks]
            self.units = rows(orm.task_units, orm.task_units.c.task_id, task_ids)
            self.instances = rows(orm.process_instances, orm.process_instances.c.plan_task_id, task_ids)
            self.items = rows(orm.work_items, orm.work_items.c.plan_task_id, task_ids)
            self.audit = rows(orm.audit_events, orm.audit_events.c.plan_task_id, task_ids)
            self.arrivals = rows(orm.arrivals, orm.arrivals.c.plan_task_id, task_ids)
            self.next = {name: (conn.execute(select(func.max(orm.metadata.tables[name].c.id))).scalar() or 0) + 1
                         for name in self.TABLES}
        self.by_plan = _group(sorted(self.tasks, key=lambda task: task["position"]), "plan_id")
        self.counts = {intaken_id: len(self.by_plan[intaken_id]) for intaken_id in intaken}
        self.by_task = {name: _group(getattr(self, name), "plan_task_id" if name != "units" else "task_id")
                        for name in ("units", "instances", "items", "audit", "arrivals")}
        self.copied = 0
        for instance in self.instances:  # the state split at its UUIDs: a copy joins fresh ones in
            instance["parts"] = _UUID.split(_TASK_ID.sub(r"\g<1>{task_id}", instance["state"]))
            instance["uuids"] = _UUID.findall(instance["state"])

    def sizes(self, plan_ids: list[int]) -> list[int]:
        return [self.counts[p] for p in plan_ids]

    def _ids(self, table: str, n: int) -> range:
        first = self.next[table]
        self.next[table] += n
        return range(first, first + n)

    def copy_plan(self, count: int, number: str) -> int:
        [plan_id] = self._ids("plans", 1)
        plan = self.plans[self.copied % len(self.plans)]
        earlier = issued_earlier(self.copied) - (ISSUED - plan["issued_on"])  # than its source
        self.copied += 1
        tasks = self.by_plan[plan["id"]]
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in self.TABLES}
        rows["plans"].append({**plan, "id": plan_id, "number": number, "issued_on": plan["issued_on"] - earlier})
        task_ids = self._ids("plan_tasks", count)
        for n, task_id in enumerate(task_ids):
            template = tasks[n % len(tasks)]
            old = template["id"]
            on_a_day = template["due_on"] and template["deadline_text"] == DUE_ON_A_DAY.format(template["due_on"])
            moved = _moving(self.calendar, template["due_on"], earlier) if earlier and on_a_day else None
            rows["plan_tasks"].append({**template, "id": task_id, "plan_id": plan_id, "position": n, "ref": str(n + 1)}
                                      | (_due_on(template, moved(template["due_on"])) if moved else {}))
            for unit in self.by_task["units"].get(old, []):
                rows["task_units"].append({**unit, "id": self._ids("task_units", 1)[0], "task_id": task_id})
            instance_ids, item_ids = {}, {}
            uuids: dict[str, str] = {}
            for instance in self.by_task["instances"].get(old, []):
                instance_ids[instance["id"]] = new_id = self._ids("process_instances", 1)[0]
                fresh = [uuids.setdefault(u, str(uuid.uuid4())) for u in instance["uuids"]]
                state = "".join(part + (fresh[i] if i < len(fresh) else "")
                                for i, part in enumerate(instance["parts"])).replace("{task_id}", str(task_id))
                timer = instance["next_timer_at"]
                if moved:
                    state = _dates_moved(state, moved)
                    # (stored in UTC: a rung's 08:00 in the office is 01:00 the same day)
                    timer = timer and datetime.combine(moved(timer.date()), timer.time())
                rows["process_instances"].append({k: v for k, v in instance.items() if k not in ("parts", "uuids")}
                                                 | {"id": new_id, "plan_task_id": task_id, "state": state,
                                                    "next_timer_at": timer})
            for item in self.by_task["items"].get(old, []):
                item_ids[item["id"]] = new_id = self._ids("work_items", 1)[0]
                rows["work_items"].append({**item, "id": new_id, "plan_task_id": task_id,
                                           "instance_id": instance_ids[item["instance_id"]],
                                           "task_uuid": uuids.get(item["task_uuid"], item["task_uuid"]),
                                           "due_on": moved(item["due_on"]) if moved and item["due_on"]
                                           else item["due_on"]})
            for event in self.by_task["audit"].get(old, []):
                rows["audit_events"].append({**event, "id": self._ids("audit_events", 1)[0], "plan_task_id": task_id,
                                             "instance_id": instance_ids.get(event["instance_id"]),
                                             "work_item_id": item_ids.get(event["work_item_id"])})
            for arrival in self.by_task["arrivals"].get(old, []):
                new_id = self._ids("arrivals", 1)[0]
                rows["arrivals"].append({**arrival, "id": new_id, "plan_task_id": task_id,
                                         "key": f"{arrival['key']}:copy:{new_id}",
                                         "work_item_id": item_ids.get(arrival["work_item_id"])})
        with self.engine.begin() as conn:
            for name in self.TABLES:
                if rows[name]:
                    table = orm.metadata.tables[name]
                    conn.execute(table.insert().returning(table.c.id) if self.many_rows_a_statement
                                 else table.insert(), rows[name])
        self.counts[plan_id] = count
        return plan_id

    def finish(self) -> None:
        """PostgreSQL: the id sequences past the copied ids, and the planner's statistics
        as autovacuum would leave them."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            for name in self.TABLES:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT max(id) FROM {name}))"))
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


_DATE = re.compile(r"\d{4}-\d\d-\d\d")  # in a state, every date is of the task's deadline: due, periods, timers


def _dates_moved(state: str, moved: Callable[[date], date]) -> str:
    return _DATE.sub(lambda day: moved(date.fromisoformat(day[0])).isoformat(), state)


def issued_earlier(seed: Any) -> timedelta:
    """How long before ISSUED a plan of the office is issued: 0 to EARLIER_WEEKS weeks, seeded."""
    return timedelta(weeks=random.Random(seed).randint(0, EARLIER_WEEKS))


def _moving(calendar, due: date, by: timedelta) -> Callable[[date], date]:
    """Where the dates of a task due on `due` go in a plan issued `by` earlier: each `by`
    earlier (whole weeks keep their weekdays), unless that moves a deadline on a working
    day onto a day off (a holiday): then, as an office would write it, the deadline is the
    next working day, and the task's other dates (its rungs, so many working days from the
    deadline) keep their working days from it. (A rung of a deadline not moved so may
    still fall on a holiday.)"""
    moved = due - by
    if not calendar.is_working_day(due) or calendar.is_working_day(moved):
        return lambda day: day - by
    moved = calendar.add_working_days(moved, 0)
    return lambda day: calendar.add_working_days(moved, calendar.working_days_between(due, day))


def _due_on(task: dict[str, Any], due: date) -> dict[str, Any]:
    """The columns of a task due on a day, due on `due`."""
    return {"due_on": due, "schedule": {**task["schedule"], "due": [due.isoformat()]},
            "deadline_text": DUE_ON_A_DAY.format(due)}


def _group(rows: list[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=2000, help="open task instances to build")
    parser.add_argument("--plan-size", type=int, default=1000, help="tasks per plan")
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--cpu", action="store_true", help="time with the process's CPU clock")
    parser.add_argument("--db", default=None,
                        help="an office to build once and measure copies of: a SQLite file, or with a PostgreSQL "
                             "--url the name of a database on that server (see above)")
    args = parser.parse_args()
    if args.db is not None and args.url is not None and not (
            args.url.startswith("postgresql") and re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", args.db)):
        parser.error("--db with --url names a PostgreSQL database: lowercase letters, digits and _")
    if args.cpu:
        global now_ms
        now_ms = time.process_time
    # The measured file is removed when the run ends: a 100,000-instance office is 1 GB.
    with tempfile.TemporaryDirectory() as scratch:
        measure_in(Path(scratch) / "scale.sqlite3", args)


def measure_in(measured: Path, args: argparse.Namespace) -> None:
    """Build (or reuse `--db`) and measure; a SQLite office built for this run alone, or a
    copy of the kept one, at `measured`. A kept office is only read, never migrated: its
    copy is brought to this code's schema, so an older checkout can still measure it."""
    kept = _kept(args, measured)
    reused = kept is not None and kept.exists()
    with office_clock(ISSUED) as clock:
        if reused:
            plan_ids, starts = _plan_ids(kept.url), None
        else:
            office = make_office(kept.building() if kept else args.url or f"sqlite:///{measured}")
            plan_ids, starts = build(office, clock, args.open, args.plan_size)
        clock.on(WORK_DAY)
        if kept is None:
            measure(office, office.storage.engine, clock, plan_ids, starts, args)
            return
        if not reused:
            office.storage.engine.dispose()
            kept.keep()
        started = time.perf_counter()
        with kept.copy() as copied:
            print(f"  copied the kept office in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            office = open_office(copied)
            measure(office, office.storage.engine, clock, plan_ids, starts, args)
            office.storage.engine.dispose()  # (a copy on PostgreSQL is dropped after)


def _plan_ids(url: str) -> list[int]:
    """The kept office's plans, read without opening (and so migrating) the office."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(orm.plans.c.id).order_by(orm.plans.c.id)).scalars())
    finally:
        engine.dispose()


def _kept(args: argparse.Namespace, measured: Path) -> KeptFile | KeptDatabase | None:
    """The office `--db` keeps, if given: on PostgreSQL with `--url`, else in a SQLite file."""
    if args.db is None:
        return None
    return KeptDatabase(args.url, args.db) if args.url else KeptFile(Path(args.db), measured)


class KeptFile:
    """`--db` on SQLite: the office's file, built once (into a file of its own, kept only
    when the build ended), each run measuring a copy of it at `measured`."""

    def __init__(self, path: Path, measured: Path) -> None:
        self.path, self.measured = path, measured
        self.url = f"sqlite:///{path}"

    def exists(self) -> bool:
        return self.path.exists()

    def _building(self) -> Path:
        return self.path.with_name(self.path.name + ".building")

    def building(self) -> str:
        """The URL to build the office at (a build stopped before its end left its file)."""
        self._building().unlink(missing_ok=True)
        return f"sqlite:///{self._building()}"

    def keep(self) -> None:
        self._building().replace(self.path)

    @contextmanager
    def copy(self) -> Iterator[str]:
        shutil.copyfile(self.path, self.measured)
        yield f"sqlite:///{self.measured}"


class KeptDatabase:
    """`--db` with a PostgreSQL `--url`: the office's database `name` on that server, built
    once (into a database of its own, renamed `name` when the build ended), each run
    measuring a copy of it (CREATE DATABASE ... TEMPLATE), dropped after. The URL's own
    database is where these are sent from: a database may not create or drop itself."""

    def __init__(self, url: str, name: str, measured: str = "") -> None:
        """`measured`: the copy's name (default `name`_measured), one per bench run at once."""
        self.server, self.name = make_url(url), name
        self.measured = measured or f"{name}_measured"
        self.url = self._url(name)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def exists(self) -> bool:
        return bool(self._execute(f"SELECT count(*) FROM pg_database WHERE datname = '{self.name}'"))

    def building(self) -> str:
        """The URL to build the office at (a build stopped before its end left its database)."""
        self._fresh(f"{self.name}_building")
        return self._url(f"{self.name}_building")

    def keep(self) -> None:
        self._execute(f'ALTER DATABASE "{self.name}_building" RENAME TO "{self.name}"')

    @contextmanager
    def copy(self) -> Iterator[str]:
        measured = self.measured
        self._fresh(measured, f' TEMPLATE "{self.name}"')
        try:
            yield self._url(measured)
        finally:
            self._execute(f'DROP DATABASE "{measured}" WITH (FORCE)')

    def _fresh(self, name: str, template: str = "") -> None:
        """The database `name` created anew (a run stopped before its end left it)."""
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{template}')

    def _execute(self, *statements: str) -> Any:
        """The statements run one by one, each committed (CREATE DATABASE runs in no
        transaction); the last one's first value."""
        engine = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    found = conn.execute(text(statement))
                return found.scalar() if found.returns_rows else None
        finally:
            engine.dispose()


def measure(office, engine, clock, plan_ids: list[int], starts: Starts | None, args) -> None:
    users = office.users
    clock_name = "CPU time of this process" if args.cpu else "wall clock"
    print(f"\n{engine.dialect.name}: {args.open} open instances in plans of {args.plan_size} tasks ({clock_name})")
    print(f"the office: {office_summary(engine)}\n")
    print("| measure | planflow | bare | ratio | notes |\n|---|---|---|---|---|")

    if starts is not None:
        starts.row("start a task (per task)", f"a {args.plan_size}-task plan through intake (plans 1–{len(starts.planflow)}, "
                   "the first into an empty database) against bare: create + run + serialize of its tasks")
    with office.uow() as uow:
        rt = instances.runtime(uow, clock)
        sample_task = uow.tasks.for_plan(plan_ids[-1])[0]
        version_id = uow.instances.for_task(sample_task.id).process_version_id
        spec = instances.spec(uow, version_id)

    # Complete a step: the service against load + complete + serialize of the same states,
    # on the last plan (a copy, when the build copied: copies load and complete too).
    items = head_assigning(office, plan_ids[-1])[:SAMPLE]
    with office.uow() as uow:
        states = [(uow.instances.get(i.instance_id).state, i.task_uuid) for i in items]
    assignee = {"assignee": users[STAFF]}
    times = []
    settled()
    with sent_statements(engine) as statements:
        for item in items:
            started = now_ms()
            steps.complete_step(office.uow(), item.id, users[HEAD], assignee, clock=clock)
            times.append(1000 * (now_ms() - started))
    per_step = len(statements) / len(items)
    bare = []
    for state, task_uuid in states:
        started = now_ms()
        wf = rt.loads(spec, state)
        rt.complete(wf, task_uuid, assignee)
        rt.dumps(wf)
        bare.append(1000 * (now_ms() - started))
    stored = _bare_storing(engine, rt, spec, states, assignee)
    row("complete a step", statistics.median(times), statistics.median(bare),
        note=f"{per_step:.1f} SQL statements per step; the bare engine storing its state (one UPDATE of it, "
             f"committed) {stored:.2f} ms ({statistics.median(times) / stored:.1f}×)")

    watched = monitored(engine, office.units[TTPV], plan_ids)
    # The plan filtered by: not the last, whose head's steps the step row took (at a plan
    # size of 200, all of them), unless it is the only one.
    filtered = plan_ids[-2] if len(plan_ids) > 1 else plan_ids[-1]
    shown, shown_size, late = late_plan(engine, plan_ids)
    everyone = f"search a word all {args.open} tasks hold"
    searches = [
        searching(office, f"{everyone} (first page)", MONITOR),
        # A staff member reads only the tasks `task_access.may_read` lets them: here their
        # unit's (those it leads or coordinates); for one of a unit taking part in none, the
        # few they took part in (none); for one of a unit monitoring some plans, those plans'.
        searching(office, f"{everyone}, a staff member's reader scope (first page)", STAFF),
        # The same, narrowed to the overdue tasks, as the overview's links ask: each match's
        # state is its task's (status and dates), so this reads the matches' task rows.
        searching(office, f"{everyone}, overdue only, a staff member's reader scope (first page)", STAFF,
                  progress.OVERDUE),
        searching(office, f"{everyone}, a staff member of another unit (first page)", OTHER_STAFF),
        searching(office, f"{everyone}, a staff member of a unit monitoring {watched} of them (first page)",
                  MONITORING_STAFF),
    ]
    # Reads, each measured against bare SQL (`read_row`).
    received = inboxing(office, "the unit head's inbox sorted by received (first page)", HEAD,
                        _bare_unit_inbox_query(office), "received")
    inboxes = [
        inboxing(office, f"a staff member's inbox ({len(items)} rows, first page)", STAFF,
                 _bare_inbox_query(users[STAFF])),
        inboxing(office, f"the unit head's inbox ({_count_ready(engine, users[HEAD])} rows, first page)", HEAD,
                 _bare_unit_inbox_query(office)),
        inboxing(office, "the monitor's inbox (first page)", MONITOR, _bare_inbox_query(users[MONITOR])),
    ]
    reads = [
        *(inbox_read for inbox_read, _ in inboxes),
        (f"the unit head's inbox filtered by one plan ({_count_ready(engine, users[HEAD], filtered)} rows, "
         "first page)",
         lambda: inbox.list_inbox(office.uow(), users[HEAD], WORK_DAY, inbox.InboxQuery(plan_id=filtered)),
         _bare_unit_inbox_query(office, filtered), "bare: the plan's rows by due date"),
        received[0],
        (f"dashboard of a {shown_size}-task plan ({late} late)",
         lambda: progress.plan_dashboard(office.uow(), shown, WORK_DAY, every_notice=False), _bare_dashboard_query(shown),
         "bare: counts by status"),
        (f"plan page of {shown_size} tasks ({late} late, first page)",
         lambda: plan_pages.plan_overview(office.uow(), shown, WORK_DAY, users[MONITOR]),
         _bare_plan_page_query(shown), "bare: the page's 50 tasks and their steps"),
        (f"the unit head's unit page ({_count_unit_tasks(engine, office.units[KSTTHC])} tasks, first page)",
         lambda: unit_work.unit_work(office.uow(), users[HEAD], WORK_DAY), _bare_unit_page_query(office),
         "bare: counts by status of the unit's tasks"),
        *(search_read for search_read, _ in searches),
        # The unit head's own page: the tasks of every step they took (they assigned them),
        # most urgent first, where the staff member's holds the tasks of their hundred steps.
        (f"the unit head's person page ({_count_person_tasks(engine, users[HEAD])} tasks, first page)",
         lambda: unit_work.person_work(office.uow(), users[HEAD], WORK_DAY), _bare_person_page_query(users[HEAD]),
         "bare: counts by status of the tasks of the person's steps"),
        (f"a staff member's person page ({_count_person_tasks(engine, users[STAFF])} tasks, first page)",
         lambda: unit_work.person_work(office.uow(), users[STAFF], WORK_DAY), _bare_person_page_query(users[STAFF]),
         "bare: counts by status of the tasks of the person's steps"),
    ]
    # A second bare beside the first where that one does not read all the page shows:
    # hand-written SQL over the plain tables giving the same displayed data.
    same_data = {reads[5][0]: _same_data_dashboard_queries(shown, WORK_DAY),
                 reads[6][0]: _same_data_plan_page_queries(shown),
                 reads[-2][0]: _same_data_person_page_queries(users[HEAD], WORK_DAY),
                 reads[-1][0]: _same_data_person_page_queries(users[STAFF], WORK_DAY),
                 **{read[0]: queries for read, queries in [*inboxes, received, *searches]}}
    captured: dict[str, list[tuple[str, Any]]] = {}
    for label, action, bare_query, note in reads:
        read_row(engine, captured, label, action, bare_query, note, same_data.get(label))

    # Idle sweep: nothing due yet.
    now = to_storage(clock.now())
    idle_ms, _ = per_call(lambda: sweep.sweep(office.uow, clock=FixedClock(clock.now())), 10)
    idle_bare, _ = per_call(lambda: _run(engine, _bare_due_query(now)), 10)
    row("idle sweep", idle_ms, idle_bare, note="bare: the indexed range query")

    # A sweep on ALL_DUE, a rung of about a third of the tasks due: per instance, the
    # median of SWEEP_BATCHES batches after one not timed (the first batch of a process
    # pays its compiling and caches, as the bare's median of warm fires does not),
    # against firing the same instances' timers bare.
    clock.on(ALL_DUE)
    swept_at = to_storage(clock.now())
    with office.uow() as uow:
        due = uow.instances.due_for_timers(swept_at, sweep.BATCH * (1 + SWEEP_BATCHES))
        due_states = [d.state for d in due[sweep.BATCH:]]  # those the timed batches fire
    bare_fire = []
    for state in due_states:
        started = now_ms()
        wf = rt.loads(spec, state)
        rt.fire_due_timers(wf)
        rt.dumps(wf)
        bare_fire.append(1000 * (now_ms() - started))
    started = now_ms()
    first = sweep.sweep(office.uow, clock=FixedClock(clock.now()), max_batches=1)
    first_ms = 1000 * (now_ms() - started) / max(1, first.instances)
    settled()
    per_instance, fired = [], 0
    with sent_statements(engine) as statements:
        for _ in range(SWEEP_BATCHES):
            started = now_ms()
            result = sweep.sweep(office.uow, clock=FixedClock(clock.now()), max_batches=1)
            elapsed = 1000 * (now_ms() - started)
            if result.instances:
                per_instance.append(elapsed / result.instances)
                fired += result.instances
    per_instance = per_instance or [0.0]
    row("sweep, per due instance", statistics.median(per_instance), statistics.median(bare_fire),
        note=f"median of {len(per_instance)} batches of {sweep.BATCH} ({min(per_instance):.2f}–"
             f"{max(per_instance):.2f} ms), {fired} instances, after the process's first batch, not counted "
             f"({first_ms:.2f} ms an instance); "
             f"{len(statements) / len(per_instance):.1f} statements per batch")

    # The dashboard of a plan the sweep told about, on the day it did: a running plan's
    # pages show the reminders and escalations sent (the reads above ran before any was).
    noticed, notices = _most_noticed_plan(engine, swept_at)
    read_row(engine, captured, f"dashboard of a {args.plan_size}-task plan after the sweep ({notices} notices)",
             lambda: progress.plan_dashboard(office.uow(), noticed, ALL_DUE, every_notice=False),
             _bare_dashboard_query(noticed), "bare: counts by status; the most overdue tasks told of the notices",
             _same_data_dashboard_queries(noticed, ALL_DUE))

    with engine.connect() as conn:
        count, size = conn.execute(select(func.count(), func.sum(func.length(orm.process_instances.c.state)))).one()
    print(f"| stored state per open instance | {size / count / 1024:.1f} KB | — | — | spec not included |")

    # The start again, in the built office: the first plan above started in an empty
    # database, and a start's triggers look up its units' rows among the office's.
    clock.on(ISSUED)
    plan_id, ms = through_intake(office, args.plan_size, len(plan_ids) + 1)
    Starts([ms], [bare_starts(office, clock, plan_id)]).row(
        f"start a task in the built office (per task, {args.plan_size}-task plan)",
        "bare: create + run + serialize of its tasks, after it")

    # The scheduler's fold of the count rows after one step (every interval on a working
    # office; on SQLite inside the one write lock), once the rows above are folded.
    office.storage.compact_inbox_counts()
    folds = []
    for item in head_assigning(office, plan_id)[:FOLDS]:
        steps.complete_step(office.uow(), item.id, users[HEAD], assignee, clock=clock)
        started = now_ms()
        office.storage.compact_inbox_counts()
        folds.append(1000 * (now_ms() - started))
    with engine.connect() as conn:
        rows = sum(conn.scalar(select(func.count()).select_from(orm.metadata.tables[name]))
                   for name in ("inbox_counts", "inbox_choices", "unit_task_counts"))
    print(f"| fold of the count rows after one step | {statistics.median(folds):.2f} ms | — | — | "
          f"median of {len(folds)} steps, each then folded; {rows} count rows |")
    explain(engine, now, captured)


def read_row(engine, captured: dict[str, list[tuple[str, Any]]], label: str, action: Callable[[], Any],
             bare_query, note: str, same_data: list | None = None) -> None:
    """A read's row: against an indexed query of the same rows ("bare"), and against the
    very statements the service sent, replayed on a raw connection ("same SQL": the second
    ratio is the service's own cost, Python and SQLAlchemy, the first its design); with
    `same_data`, against hand-written SQL giving the same displayed data ("bare 2"). The
    statements sent are kept in `captured` for EXPLAIN."""
    ours, p95 = per_call(action, 20)
    bare_ms, _ = per_call(lambda: _run(engine, bare_query), 20)
    with sent_with_parameters(engine) as sent:
        action()
    captured[label] = list(sent)
    same_ms, _ = per_call(lambda: _replay(engine, sent), 20)
    notes = [f"p95 {p95:.1f} ms", f"{len(sent)} statements, same SQL bare {same_ms:.2f} ms ({ours / same_ms:.1f}×)",
             *([note] if note else [])]
    if same_data is not None:
        data_ms, _ = per_call(lambda: _run_all(engine, same_data), 20)
        notes.append(f"bare 2: the same data hand-written ({len(same_data)} statements) {data_ms:.2f} ms "
                     f"({ours / data_ms:.1f}×)")
    row(label, ours, bare_ms, note="; ".join(notes))


def searching(office, label: str, reader: str, state: str | None = None) -> tuple[tuple, list]:
    """A search row: `reader`'s search of SEARCHED (of the tasks in `state`, if given) as a
    read of `measure`'s, against the word index's matches counted (bare), and its
    hand-written same data (`_same_data_search_queries`, bare 2), checked first to show
    what planflow's page shows (`same_search_shown`)."""
    engine, user_id, filters = office.storage.engine, office.users[reader], progress.Filters(state=state)

    def action() -> search.SearchResults:
        return search.search_tasks(office.uow(), SEARCHED, WORK_DAY, filters, user_id=user_id)
    queries = _same_data_search_queries(engine, user_id, state, WORK_DAY)
    same_search_shown(engine, label, action(), queries)
    return (label, action, _bare_search_query(engine), "bare: the word index's matches, counted"), queries


def same_search_shown(engine, label: str, found: search.SearchResults, queries: list) -> None:
    """Raise unless the hand-written `queries` show what planflow's page `found` shows
    (`dashboard/search.html`): the count, whether there are more, the pages, and each
    task's id, plan, number, title, content, lead units, due date and state, in order."""
    ours = (found.listed, found.more, found.pages,
            [(t.id, t.plan_number or t.plan_title, t.ref, t.title, t.content, [u.name for u in t.lead], t.due_on,
              t.state) for t in found.tasks])
    with engine.connect() as conn:
        _, [(counted,)], rows = (conn.execute(query).all() for query in queries)
    tasks: dict[int, tuple] = {}
    for task_id, number, plan_title, ref, title, content, due_on, status, closed_on, lead in rows:
        shown = tasks.setdefault(task_id, (task_id, number or plan_title, ref, title, content, [], due_on,
                                           progress.task_state(status, due_on, closed_on, WORK_DAY)))
        shown[5].extend([lead] if lead is not None else [])
    listed = min(counted, SEARCH_COUNTED)
    by_hand = (listed, counted > SEARCH_COUNTED, progress.Paging.of(listed, 1, search.PAGE_SIZE).pages,
               list(tasks.values()))
    if by_hand != ours:
        raise AssertionError(f"{label}: the hand-written search shows other data than planflow's page: "
                             f"{by_hand[:3]} {by_hand[3][:3]}... against {ours[:3]} {ours[3][:3]}...")


def inboxing(office, label: str, reader: str, bare_query, sort: str = "due") -> tuple[tuple, list]:
    """An inbox row: `reader`'s first page in the order `sort`, as a read of `measure`'s,
    against an indexed query of its rows (`bare_query`, bare), and its hand-written same
    data (`_same_data_inbox_queries`, bare 2), checked first to show what planflow's page
    shows (`same_inbox_shown`)."""
    engine, user_id, query = office.storage.engine, office.users[reader], inbox.InboxQuery(sort=sort)

    def action() -> inbox.Inbox:
        return inbox.list_inbox(office.uow(), user_id, WORK_DAY, query)
    uow = office.uow()
    with uow.reading():  # (the last day "soon", as the inbox works it out from the office days)
        soon_until = inbox.soon_until(instances.calendar(uow), WORK_DAY)
    queries = _same_data_inbox_queries(engine, user_id, sort, WORK_DAY, soon_until)
    same_inbox_shown(engine, label, user_id, action(), queries)
    return (label, action, bare_query, ""), queries


def same_inbox_shown(engine, label: str, user_id: int, found: inbox.Inbox, queries: list) -> None:
    """Raise unless the hand-written `queries` show what planflow's inbox page `found`
    shows `user_id` (`inbox/index.html`): the counts (all, late, soon) and the pages, the
    plans and steps to filter by, and each row's step, plan, task, due date and whose it
    is, in order. (Its days left follow from the due date, worked out in Python either way.)"""
    ours = (found.counts, found.pages, found.plans, found.steps,
            [(i.work_item_id, i.step_id, i.step_name, i.form, i.plan_id, i.plan_number or i.plan_title, i.task_id,
              i.task_ref, i.task_title, i.due, i.mine, i.claimed) for i in found.items])
    with engine.connect() as conn:
        _, [(total, overdue, soon)], plans, named, rows = (conn.execute(query).all() for query in queries)
    by_hand = ({"total": total, "overdue": overdue or 0, "soon": soon or 0},
               progress.Paging.of(total, 1, inbox.PAGE_SIZE).pages,
               sorted({(plan_id, number or title) for plan_id, number, title in plans}, key=lambda p: (p[1], p[0])),
               sorted(set(map(tuple, named)), key=lambda s: (s[1], s[0])),
               [(item_id, step_id, step_name, form, plan_id, plan_number or plan_title, task_id, ref, title, due_on,
                 user_id in (assignee, claimed), claimed == user_id)
                for (item_id, step_id, step_name, form, due_on, assignee, task_id, ref, title, plan_id, plan_number,
                     plan_title, claimed) in rows])
    if by_hand != ours:
        raise AssertionError(f"{label}: the hand-written inbox shows other data than planflow's page: "
                             f"{by_hand[:4]} {by_hand[4][:3]}... against {ours[:4]} {ours[4][:3]}...")


def office_summary(engine) -> str:
    """What the built office holds on WORK_DAY: its plans' issue dates, its open tasks late
    (due before it) and the notices sent by then."""
    p, t, a = orm.plans, orm.plan_tasks, orm.audit_events
    with engine.connect() as conn:
        plans, first, last = conn.execute(select(func.count(), func.min(p.c.issued_on), func.max(p.c.issued_on))).one()
        open_tasks, late = conn.execute(select(func.count(), func.count().filter(t.c.due_on < WORK_DAY))
                                        .where(t.c.closed_on.is_(None))).one()
        notices = conn.execute(select(func.count()).where(a.c.action.like("notice%"))).scalar()
    return (f"{plans} plans issued {first} to {last}; {late} of {open_tasks} open tasks late on {WORK_DAY} "
            f"({100 * late / max(1, open_tasks):.1f}%), {notices} notices sent")


def _most_noticed_plan(engine, since: datetime) -> tuple[int, int]:
    """The plan whose tasks were told of most notices (audit lines `notice_<rung>`) from
    `since` on, and how many notices its tasks hold in all."""
    a, t = orm.audit_events, orm.plan_tasks
    notices = select(t.c.plan_id, func.count().label("n")).join(a, a.c.plan_task_id == t.c.id) \
        .where(a.c.action.like("notice%")).group_by(t.c.plan_id)
    with engine.connect() as conn:
        plan_id = conn.execute(notices.where(a.c.at >= since).order_by(func.count().desc(), t.c.plan_id)
                               .limit(1)).one()[0]
        return plan_id, conn.execute(notices.where(t.c.plan_id == plan_id)).one()[1]


def late_plan(engine, plan_ids: list[int]) -> tuple[int, int, int]:
    """The plan the dashboard and plan page rows read: of the plans with tasks late on
    WORK_DAY (as a running office's are), the median by how many; else the first plan.
    Not one `monitored` gives another monitor: the plan page is read as MONITOR. Its id,
    its tasks and its late tasks."""
    t = orm.plan_tasks
    with engine.connect() as conn:
        late = conn.execute(select(t.c.plan_id, func.count())
                            .where(t.c.closed_on.is_(None), t.c.due_on < WORK_DAY,
                                   t.c.plan_id.not_in(plan_ids[1:1 + MONITORED]))
                            .group_by(t.c.plan_id).order_by(func.count(), t.c.plan_id)).all()
        plan_id, n = late[len(late) // 2] if late else (plan_ids[0], 0)
        return plan_id, conn.execute(select(func.count()).where(t.c.plan_id == plan_id)).scalar(), n


def monitored(engine, unit_id: int, plan_ids: list[int]) -> int:
    """`unit_id` made the monitor of MONITORED plans (past the first, read by the plan
    page's rows; the first, if it is the only one): a reader of thousands of the tasks,
    between the staff member of a few and the one of every task. How many tasks they hold."""
    watched = plan_ids[1:1 + MONITORED] or plan_ids[:1]
    p, t = orm.plans, orm.plan_tasks
    with engine.begin() as conn:
        conn.execute(p.update().where(p.c.id.in_(watched)).values(monitor_unit_id=unit_id))
        return conn.execute(select(func.count()).where(t.c.plan_id.in_(watched))).scalar()


def _compressed_as_instances(cursor) -> None:
    """The bare's state column compressed as planflow's is (lz4 since migration 0025, where
    the server has it): with the server's default, pglz, each write of the bare would cost
    it about 0.1 ms more than planflow pays."""
    cursor.execute("SELECT attcompression FROM pg_attribute "
                   "WHERE attrelid = 'process_instances'::regclass AND attname = 'state'")
    if cursor.fetchone()[0] == "l":
        cursor.execute("ALTER TABLE bench_engine_states ALTER COLUMN state SET COMPRESSION lz4")


def _bare_storing(engine, rt, spec, states: list[tuple[str, str]], data: dict[str, Any]) -> float:
    """Median ms of the bare step (load + complete + serialize) that then writes its state
    as one UPDATE and commits, on a raw DB-API connection to the same database: the part
    of a step that is the database's own write and commit (fsync on PostgreSQL). The rows
    are a table of the bench's own, so the instances stay as planflow left them."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    connection = engine.raw_connection()
    times = []
    try:
        cursor = connection.cursor()
        cursor.execute("DROP TABLE IF EXISTS bench_engine_states")  # a run stopped before its end left it
        cursor.execute("CREATE TABLE bench_engine_states (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        if engine.dialect.name == "postgresql":
            _compressed_as_instances(cursor)
        for n, (state, _) in enumerate(states):
            cursor.execute(f"INSERT INTO bench_engine_states (id, state) VALUES ({mark}, {mark})", (n, state))
        connection.commit()
        settled()
        for n, (state, task_uuid) in enumerate(states):
            started = now_ms()
            wf = rt.loads(spec, state)
            rt.complete(wf, task_uuid, data)
            cursor.execute(f"UPDATE bench_engine_states SET state = {mark} WHERE id = {mark}", (rt.dumps(wf), n))
            connection.commit()
            times.append(1000 * (now_ms() - started))
        cursor.execute("DROP TABLE bench_engine_states")
        connection.commit()
    finally:
        connection.close()
    return statistics.median(times)


def _run(engine, statement) -> list:
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
        conn.commit()  # not rolled back: see `_replay`
        return rows


# The ready state written into the bare inbox queries, as the service writes it: the inbox
# indexes hold only ready steps (migration 0033), and a database reads one only when the
# query names that state as a constant.
READY = literal_column("'ready'")


def _bare_inbox_query(user_id: int):
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    return (select(w.c.id, w.c.step_name, w.c.due_on, t.c.ref, t.c.title, p.c.number)
            .join(t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .where(w.c.state == READY, w.c.assignee_user_id == user_id).order_by(w.c.due_on).limit(50))


def _replay(engine, sent: list[tuple[str, Any]]) -> None:
    """The statements a service sent, on a raw DB-API connection: the SQL's own cost."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement, parameters in sent:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        # Reads only: committed, as the service's units of work that only read are. A
        # rollback makes psycopg forget the connection's prepared statements (the service's
        # too, on this pooled connection), and the next reads would be planned again.
        connection.commit()
    finally:
        connection.close()


def _count_ready(engine, user_id: int, plan_id: int | None = None) -> int:
    """The ready steps waiting for the unit head `user_id` (of one plan, if given)."""
    w, u, t = orm.work_items, orm.users, orm.plan_tasks
    unit = select(u.c.unit_id).where(u.c.id == user_id).scalar_subquery()
    query = select(func.count()).where(w.c.state == READY, w.c.candidate_unit_id == unit,
                                       w.c.candidate_role == "unit_head")
    if plan_id is not None:
        query = query.where(w.c.plan_task_id.in_(select(t.c.id).where(t.c.plan_id == plan_id)))
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def _count_unit_tasks(engine, unit_id: int) -> int:
    """The tasks `unit_id` leads or coordinates: its unit page's."""
    tu = orm.task_units
    with engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(tu.c.task_id))).where(tu.c.unit_id == unit_id)).scalar()


def _count_person_tasks(engine, user_id: int) -> int:
    """The tasks of the steps `user_id` holds or took: their person page's."""
    with engine.connect() as conn:
        return sum(n for _, n in conn.execute(_bare_person_page_query(user_id)))


def _bare_unit_inbox_query(office, plan_id: int | None = None):
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    query = (select(w.c.id, w.c.step_name, w.c.due_on, t.c.ref, t.c.title, p.c.number)
             .join(t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
             .where(w.c.state == READY, w.c.candidate_unit_id == office.units[KSTTHC],
                    w.c.candidate_role == "unit_head").order_by(w.c.due_on, w.c.id).limit(50))
    return query if plan_id is None else query.where(t.c.plan_id == plan_id)


def _bare_unit_page_query(office):
    t, tu = orm.plan_tasks, orm.task_units
    return (select(t.c.status, func.count()).where(t.c.id.in_(select(tu.c.task_id).where(
        tu.c.unit_id == office.units[KSTTHC]))).group_by(t.c.status))


def _bare_person_page_query(user_id: int):
    t, w = orm.plan_tasks, orm.work_items
    held = select(w.c.plan_task_id).where((w.c.assignee_user_id == user_id) | (w.c.completed_by == user_id))
    return select(t.c.status, func.count()).where(t.c.id.in_(held)).group_by(t.c.status)


def _bare_search_query(engine):
    if engine.dialect.name == "sqlite":
        return text(f"SELECT count(*) FROM plan_task_words WHERE plan_task_words MATCH '{_searched(True)}'")
    t = orm.plan_tasks
    vector = literal_column("plan_tasks.search_words")
    return select(func.count()).select_from(t).where(vector.op("@@")(func.to_tsquery(literal_column("'simple'"),
                                                                                   _searched(False))))


def _searched(sqlite: bool, side_by_side: bool = False) -> str:
    """SEARCHED's folded words as the database's word index takes them: every one of them,
    or (`side_by_side`) one after the other."""
    folded = words(fold(SEARCHED))
    if sqlite:
        return f'"{" ".join(folded)}"' if side_by_side else " ".join(f'"{word}"' for word in folded)
    return (" <-> " if side_by_side else " & ").join(folded)


def _bare_dashboard_query(plan_id: int):
    t = orm.plan_tasks
    return select(t.c.status, func.count()).where(t.c.plan_id == plan_id).group_by(t.c.status)


def _run_all(engine, statements: list) -> None:
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(statement).all()
        conn.commit()  # not rolled back: see `_replay`


def _page_detail_queries(ids: str, told: str | None = None) -> list[str]:
    """What a page shows of its tasks `ids` (a subquery of their ids), by hand: their units,
    their ready steps with who holds them, and the notices sent about those of `told` (a
    subquery of some of those ids), if given."""
    queries = [
        f"SELECT tu.task_id, tu.unit_id, tu.role, u.name, tu.position FROM task_units tu "
        f"JOIN units u ON u.id = tu.unit_id WHERE tu.task_id IN ({ids}) ORDER BY tu.task_id, tu.role, tu.position",
        "SELECT w.plan_task_id, w.id, w.step_id, w.step_name, w.due_on, w.assignee_user_id, w.candidate_role, "
        "us.full_name, u.name FROM work_items w "
        "LEFT JOIN users us ON us.id = w.assignee_user_id LEFT JOIN units u ON u.id = w.candidate_unit_id "
        f"WHERE w.state = 'ready' AND w.plan_task_id IN ({ids}) ORDER BY w.plan_task_id, w.id",
    ]
    if told is not None:
        queries.append("SELECT a.plan_task_id, a.action, a.at, a.step_name, a.detail FROM audit_events a "
                       f"WHERE a.action LIKE 'notice%' AND a.plan_task_id IN ({told}) ORDER BY a.at, a.id")
    return queries


def _same_data_dashboard_queries(plan_id: int, today: date) -> list:
    """What the dashboard shows, written by hand over the plain tables (no count tables):
    the tasks by status and dates (its five states and the completion chart follow), the
    same per lead unit (its units' counts and the unit choices), the first page of 50 in
    plan order and the 20 most overdue, their units and their ready steps with who holds
    them, and the notices sent about the most overdue (the page shows no others)."""
    shown = ("SELECT id FROM plan_tasks WHERE plan_id = :plan ORDER BY position LIMIT 50",
             "SELECT id FROM plan_tasks WHERE plan_id = :plan AND status = 'open' AND due_on < :today "
             "ORDER BY due_on, position LIMIT 20")
    ids = " UNION ".join(f"SELECT id FROM ({q}) AS s{n}" for n, q in enumerate(shown))
    queries = [
        "SELECT status, due_on, closed_on, count(*) FROM plan_tasks WHERE plan_id = :plan "
        "GROUP BY status, due_on, closed_on",
        "SELECT u.id, u.name, t.status, t.due_on, t.closed_on, count(*) FROM plan_tasks t "
        "JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead' JOIN units u ON u.id = tu.unit_id "
        "WHERE t.plan_id = :plan GROUP BY u.id, u.name, t.status, t.due_on, t.closed_on",
        "SELECT t.id, t.ref, t.title, t.content, t.deadline_text, t.due_on, t.status, t.closed_on, p.number, p.title "
        f"FROM plan_tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id IN ({ids}) ORDER BY t.position",
        *_page_detail_queries(ids, told=shown[1]),
    ]
    return _hand_written(queries, plan=plan_id, today=today)


def _same_data_plan_page_queries(plan_id: int) -> list:
    """What a plan page shows the monitor, written by hand over the plain tables: the
    plan, how many tasks it has (the pages), the first page of 50 in plan order, their
    units, and their ready steps with who holds them."""
    page = "SELECT id FROM plan_tasks WHERE plan_id = :plan ORDER BY position LIMIT 50"
    queries = [
        "SELECT id, number, title, year, issued_on, monitor_unit_id, source_name FROM plans WHERE id = :plan",
        "SELECT count(*) FROM plan_tasks WHERE plan_id = :plan",
        "SELECT t.id, t.ref, t.title, t.content, t.product, t.director, t.position, t.deadline_text, t.due_on, "
        "t.status, t.closed_on FROM plan_tasks t WHERE t.plan_id = :plan ORDER BY t.position LIMIT 50",
        *_page_detail_queries(page),
    ]
    return _hand_written(queries, plan=plan_id)


def _same_data_person_page_queries(user_id: int, today: date) -> list:
    """What a person page shows, written by hand over the plain tables (no count tables):
    the tasks the person took part in (a step held by name or completed, or named by an
    assignment) by status and dates (its state tabs follow), their plans (the plan
    filter), the first page of 50 most urgent first (overdue, open by due date, done),
    their units and their ready steps with who holds them (no notices: the page shows none)."""
    took_part = ("SELECT plan_task_id AS id FROM work_items WHERE assignee_user_id = :person "
                 "UNION SELECT plan_task_id FROM work_items WHERE completed_by = :person "
                 "UNION SELECT task_id FROM task_people WHERE user_id = :person")
    page = (f"SELECT id FROM plan_tasks WHERE id IN ({took_part}) ORDER BY "
            "CASE WHEN status = 'open' AND due_on < :today THEN 0 ELSE 1 END, "
            "CASE WHEN closed_on IS NULL THEN 0 ELSE 1 END, due_on IS NULL, due_on, plan_id, position LIMIT 50")
    ids = f"SELECT id FROM ({page}) AS page"
    queries = [
        f"SELECT status, due_on, closed_on, count(*) FROM plan_tasks WHERE id IN ({took_part}) "
        "GROUP BY status, due_on, closed_on",
        f"SELECT DISTINCT p.id, p.number, p.title FROM plans p JOIN plan_tasks t ON t.plan_id = p.id "
        f"WHERE t.id IN ({took_part})",
        "SELECT t.id, t.plan_id, t.ref, t.title, t.content, t.product, t.director, t.position, t.deadline_text, "
        "t.due_on, t.status, t.closed_on, p.number, p.title "
        f"FROM plan_tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id IN ({ids})",
        *_page_detail_queries(ids),
    ]
    return _hand_written(queries, person=user_id, today=today)


def _same_data_search_queries(engine, user_id: int, state: str | None, today: date) -> list:
    """What a search of SEARCHED shows the reader `user_id` on its first page (of the tasks
    overdue on `today`, if that is the `state`), written by hand over the plain tables: the
    reader's role and unit (whether they read every task, else which: `task_access.may_read`),
    the matches they may read counted up to one past SEARCH_COUNTED (the page says "more
    than" past it), and the page's tasks with their plans and lead units, ranked as planflow
    ranks: of the first SEARCH_REACH matches (in id order) holding the words side by side
    and the first SEARCH_REACH holding every word, those with the words as typed side by
    side first, then with more of the words as typed, then with the folded words side by
    side, then in plan order. (planflow ranks the matches past those after them, by id:
    never on a first page, which those fill or which are all the matches.)"""
    if state not in (None, progress.OVERDUE):
        raise ValueError(f"no hand-written search of the tasks {state}")
    sqlite = engine.dialect.name == "sqlite"
    reader = "SELECT role, unit_id FROM users WHERE id = :reader"
    with engine.connect() as conn:
        role, unit_id = conn.execute(text(reader).bindparams(reader=user_id)).one()
    index_id = "plan_task_words.rowid" if sqlite else "t.id"  # (in the word index's order: it stops at the LIMIT)
    # (On SQLite `+`: the set tested on each rowid the word index gives, not a way into the
    # index: as one, at --open 400 a staff member's bare 2 took 36 ms more.)
    readable = f"{'+' if sqlite else ''}{index_id} IN ({_READABLE})"
    narrowed = "".join(f" AND {condition}" for condition in (
        *(() if role in task_access.READS_EVERY_TASK else (readable,)), *((_OVERDUE,) if state else ())))
    ranked = " UNION ".join(f"SELECT id FROM (SELECT {index_id} AS id "
                            f"{_hand_matching(sqlite, bool(state), side_by_side)}{narrowed} "
                            f"ORDER BY {index_id} LIMIT :reach) AS {name}"
                            for name, side_by_side in (("phrase", True), ("every", False)))
    queries = [
        reader,
        f"SELECT count(*) FROM (SELECT {index_id} {_hand_matching(sqlite, bool(state))}{narrowed} "
        "LIMIT :counted) AS counted",
        # (the page's order a column, not a row_number(): SQLite took 4.6 ms for it at 400 tasks, 1.9 sorted)
        f"WITH ranked AS ({ranked}), page AS (SELECT t.id, {_hand_relevance()} AS relevance, t.plan_id, t.position "
        "FROM plan_tasks t WHERE t.id IN (SELECT id FROM ranked) "
        "ORDER BY relevance DESC, t.plan_id, t.position, t.id LIMIT :size) "
        "SELECT t.id, p.number, p.title, t.ref, t.title, t.content, t.due_on, t.status, t.closed_on, u.name "
        "FROM page JOIN plan_tasks t ON t.id = page.id JOIN plans p ON p.id = t.plan_id "
        "LEFT JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead' LEFT JOIN units u ON u.id = tu.unit_id "
        "ORDER BY page.relevance DESC, page.plan_id, page.position, page.id, tu.position",
    ]
    found = _hand_written(queries, reader=user_id, unit=unit_id, today=today, reach=SEARCH_REACH,
                          counted=SEARCH_COUNTED + 1, size=search.PAGE_SIZE)
    return [*found[:2], found[2].columns(due_on=Date, closed_on=Date)]  # (SQLite gives a text's dates as text)


def _same_data_inbox_queries(engine, user_id: int, sort: str, today: date, soon_until: date) -> list:
    """What a person's inbox shows on its first page in the order `sort` ("due": undated
    last, then by id; "received": newest first), written by hand over the plain tables (no
    count tables): the reader's role and unit (which steps are theirs), their ready steps
    counted (all, late on `today`, due by `soon_until`), the plans and steps of them to
    filter by, and the page's 50 with their tasks and plans."""
    reader = "SELECT role, unit_id FROM users WHERE id = :reader"
    with engine.connect() as conn:
        role, unit_id = conn.execute(text(reader).bindparams(reader=user_id)).one()
    order = {"due": "w.due_on IS NULL, w.due_on, w.id", "received": "w.created_at DESC, w.id DESC"}[sort]
    queries = [
        reader,
        "SELECT count(*), sum(CASE WHEN w.due_on < :today THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN w.due_on >= :today AND w.due_on <= :soon THEN 1 ELSE 0 END) FROM work_items w WHERE {_HELD}",
        f"SELECT DISTINCT p.id, p.number, p.title FROM work_items w JOIN plans p ON p.id = w.plan_id WHERE {_HELD}",
        f"SELECT DISTINCT w.step_id, w.step_name FROM work_items w WHERE {_HELD}",
        "SELECT w.id, w.step_id, w.step_name, w.form, w.due_on, w.assignee_user_id, t.id, t.ref, t.title, p.id, "
        "p.number, p.title, w.claimed_by FROM work_items w JOIN plan_tasks t ON t.id = w.plan_task_id "
        f"JOIN plans p ON p.id = t.plan_id WHERE {_HELD} ORDER BY {order} LIMIT :size",
    ]
    found = _hand_written(queries, reader=user_id, unit=unit_id or 0, role=role, today=today, soon=soon_until,
                          size=inbox.PAGE_SIZE)
    return [*found[:4], found[4].columns(due_on=Date)]  # (SQLite gives a text's dates as text)


# A person's ready steps (`:reader` of `:unit`, in `:role`): theirs by name, taken by them,
# or free for their role in their unit or in none (the leaders'), not taken by anyone.
_HELD = ("w.state = 'ready' AND (w.assignee_user_id = :reader "
         "OR (w.claimed_by = :reader AND coalesce(w.assignee_user_id, 0) <> :reader) "
         "OR (w.assignee_user_id IS NULL AND w.claimed_by IS NULL AND w.candidate_role = :role "
         "AND (w.candidate_unit_id IS NULL OR w.candidate_unit_id = :unit)))")


# The ids of the tasks `task_access.may_read` lets a reader who does not read every task
# (`:reader` of `:unit`) read, as one set: those their unit leads, coordinates or monitors
# the plan of, those they direct, held or completed a step of or were named by the
# assignment of. (Tested as an OR of each way on the task, every match's task row was
# read: at --open 2000 on SQLite a staff member of another unit's page took 21 ms.)
_READABLE = ("SELECT task_id FROM task_units WHERE unit_id = :unit "
             "UNION SELECT id FROM plan_tasks WHERE plan_id IN (SELECT id FROM plans WHERE monitor_unit_id = :unit) "
             "UNION SELECT id FROM plan_tasks WHERE director_user_id = :reader "
             "UNION SELECT plan_task_id FROM work_items WHERE assignee_user_id = :reader "
             "UNION SELECT plan_task_id FROM work_items WHERE completed_by = :reader "
             "UNION SELECT task_id FROM task_people WHERE user_id = :reader")
# Overdue on `:today` (`progress.task_state`): due before it, neither waiting for a date nor closed by then.
_OVERDUE = ("t.due_on < :today AND t.status <> 'waiting_date' "
            "AND (t.status <> 'closed' OR t.closed_on IS NULL OR t.closed_on > :today)")


def _hand_matching(sqlite: bool, of_task: bool, side_by_side: bool = False) -> str:
    """The FROM and WHERE of the tasks `t` holding SEARCHED (`_searched`), through the word
    index; on SQLite from the index alone unless a condition is `of_task` (its row)."""
    if sqlite:
        match = f"WHERE plan_task_words MATCH '{_searched(True, side_by_side)}'"
        return f"FROM plan_task_words {'JOIN plan_tasks t ON t.id = plan_task_words.rowid ' if of_task else ''}{match}"
    return f"FROM plan_tasks t WHERE t.search_words @@ to_tsquery('simple', '{_searched(False, side_by_side)}')"


def _hand_relevance() -> str:
    """The key of a search's best match first, highest first (SEARCHED typed with marks): the
    words as typed side by side, else how many words as typed (2 each) and the folded words
    side by side (1), each a whole-word LIKE on the stored texts. One key, so that a task
    holding the typed words side by side (every task here: its plan's title) is tested for
    nothing else: it holds each of them and, folded, the folded words side by side."""
    def has(column: str, phrase: str) -> str:
        return f"CASE WHEN t.{column} LIKE '% {phrase} %' THEN 1 ELSE 0 END"
    typed, folded = words(SEARCHED), words(fold(SEARCHED))
    each = " + ".join(has("search_text", word) for word in typed)
    return (f"CASE WHEN t.search_text LIKE '% {' '.join(typed)} %' THEN {2 * len(typed) + 2} "
            f"ELSE 2 * ({each}) + {has('search_folded', ' '.join(folded))} END")


def _hand_written(queries: list[str], **values: int | str | date) -> list:
    """The hand-written `queries` with the `values` each names (`:name`) bound: a date as
    a date, a text as a text, anything else as an integer."""
    binds = {name: bindparam(name, value, type_=Date if isinstance(value, date) else
                             String if isinstance(value, str) else Integer)
             for name, value in values.items()}
    return [text(q).bindparams(*(bind for name, bind in binds.items() if re.search(f":{name}\\b", q)))
            for q in queries]


def _bare_plan_page_query(plan_id: int):
    t, w = orm.plan_tasks, orm.work_items
    page = select(t.c.id).where(t.c.plan_id == plan_id).order_by(t.c.position).limit(50).scalar_subquery()
    return (select(t.c.id, t.c.ref, t.c.title, t.c.due_on, t.c.status, w.c.step_name)
            .select_from(t).outerjoin(w, (w.c.plan_task_id == t.c.id) & (w.c.state == READY))
            .where(t.c.id.in_(page)).order_by(t.c.position))


def _bare_due_query(now: datetime):
    c = orm.process_instances.c
    return select(c.id).where(c.next_timer_at <= now, c.status == "running").order_by(c.next_timer_at).limit(100)


def explain(engine, now: datetime, captured: dict[str, list[tuple[str, Any]]]) -> None:
    """The query plan of every statement the inboxes, the dashboard, the unit page and
    search sent (with their parameters), and of the sweep's due range."""
    sqlite = engine.dialect.name == "sqlite"
    sweep_sql = _bare_due_query(now).compile(engine, compile_kwargs={"literal_binds": True})
    wanted = [(label, sent) for label, sent in captured.items()
              if any(word in label for word in ("inbox", "dashboard", "unit page", "person page", "search"))]
    for label, sent in [*wanted, ("sweep (due range)", [(str(sweep_sql), ())])]:
        print(f"\nEXPLAIN {label}:")
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in sent:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
                print("  " + " ".join(statement.split())[:160] + " ...")
                for line in cursor.fetchall():
                    print("   ", line[-1] if sqlite else line[0])
            connection.rollback()
        finally:
            connection.close()


if __name__ == "__main__":
    main()
