"""A whole office for a year on a simulated clock, from a seed: the deterministic simulation.

Plans arrive at random moments (some already late, some waiting for a date), people
act early, late or never, the monitor returns reports, extensions are asked, granted
and refused, dates are set late, office days are added and removed, the scheduler
stops for days, and between any two actions the server may restart (a fresh Storage:
a new engine and an empty spec cache). Two scheduler processes, each with a Storage of
its own that restarts now and then, run the clock's rounds (`web.scheduling.run_once`:
the sweep, the mail outboxes into one in-memory mailer, the background jobs): on
PostgreSQL both at once, on SQLite the holder of the clock lock. Every action goes
through the services, as a person or the scheduler would. After each simulated day
`invariants.check` runs; a broken invariant raises `Failure` naming the seed and the
day, so it replays exactly. A seed's year is the same on SQLite and PostgreSQL: whatever
the simulation chooses from, it orders itself (by id), not as a database returns it. (On
PostgreSQL which scheduler fires a timer or sends a mail may differ from one run to the
next; the history it writes did not, in the years compared.)
"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from sqlalchemy import event, select

from adapters.mail import MemoryMailer
from adapters.storage import Storage, orm
from engine import model
from engine.clock import OFFICE_TZ, FixedClock, to_storage
from engine.deadlines import extension_requests, office_days, task_dates
from engine.errors import PlanflowError
from engine.process.step_forms import Upload
from engine.tasks import intake, steps
from tests.simulation import invariants
from tests.support.office import make_office
from web import scheduling
from web.config import Settings

START = date(2024, 1, 2)
LEADS = ("Phòng Kiểm soát thủ tục hành chính", "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh",
         "Phòng Tổng hợp", "Trung tâm Công báo và Tin học", "Ban Tiếp công dân tỉnh")
HELPERS = LEADS + ("Sở Thông tin và Truyền thông",)
LEADERS = ("chanhvp", "phochanhvp")
SCHEDULERS = 2
QUICK = {"sqlite": "PRAGMA synchronous=OFF", "postgresql": "SET synchronous_commit TO off"}


def _quick(storage: Storage) -> Storage:
    """No waiting for the disk: a simulation checks logic, not durability (a crash loses
    only the run). Committed at once: a setting made in a transaction rolled back is undone."""
    def on_connect(conn, _) -> None:
        cursor = conn.cursor()
        cursor.execute(QUICK[storage.engine.dialect.name])
        cursor.close()
        conn.commit()

    event.listen(storage.engine, "connect", on_connect)
    return storage


@dataclass(frozen=True)
class _MailKept(Settings):
    """A scheduler's settings whose mailer keeps the mails, where the invariants count them."""

    kept: MemoryMailer = field(default_factory=MemoryMailer)

    def mailer(self) -> MemoryMailer:
        return self.kept


def by_id(users: list[model.User]) -> list[model.User]:
    """The simulation's choices among people in an order of its own: the database's
    (names, or none at all) may differ between SQLite and PostgreSQL, and a seed's year
    would differ with it."""
    return sorted(users, key=lambda user: user.id)


class Failure(AssertionError):
    def __init__(self, seed: int, day: date, message: str) -> None:
        super().__init__(f"seed {seed}, day {day.isoformat()}: {message}")
        self.seed, self.day, self.message = seed, day, message


@dataclass
class Chances:
    """How often things happen, per simulated day (or per step, for the personas)."""

    plan: float = 0.05
    restart: float = 0.3  # before any action
    scheduler_restart: float = 0.1  # each scheduler, before each round
    scheduler_down: float = 0.02
    extension_asked: float = 0.02
    extension_decided: float = 0.4
    date_set: float = 0.15
    office_day_added: float = 0.015
    office_day_removed: float = 0.01
    returned: float = 0.25


@dataclass
class Stats:
    plans: int = 0
    steps: int = 0
    restarts: int = 0
    scheduler_restarts: int = 0
    sweeps: int = 0
    shared_rounds: int = 0  # rounds in which more than one scheduler fired timers or sent mail
    mails: int = 0
    extensions: int = 0
    dates_set: int = 0
    office_days: int = 0
    days_down: int = 0
    notices: int = 0
    late_imports: int = 0
    checked_days: int = 0


@dataclass
class OfficeYear:
    url: str
    seed: int
    chances: Chances = field(default_factory=Chances)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        office = make_office(self.url)
        self.storage, self.units, self.users = _quick(office.storage), office.units, office.users
        self.clock = FixedClock(datetime.combine(START, time(8), OFFICE_TZ))
        self.settings = _MailKept()
        self.schedulers = [_quick(Storage(self.url)) for _ in range(SCHEDULERS)]
        self.persona: dict[int, tuple[str, int]] = {}  # task id -> (on_time|late|never, days)
        self.down_until: date | None = None
        self.swept_at: datetime | None = None
        self.stats = Stats()

    # -- the run ---------------------------------------------------------------------

    def run(self, days: int) -> Stats:
        for offset in range(days):
            day = START + timedelta(days=offset)
            since = to_storage(datetime.combine(day, time(0), OFFICE_TZ))
            try:
                self.live(day)
                problems = invariants.check(self, day, since)
            except Exception as error:  # a crash is a failure of the day too: name seed and day
                raise Failure(self.seed, day, f"{type(error).__name__}: {error}") from error
            if problems:
                more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
                raise Failure(self.seed, day, "; ".join(problems[:5]) + more)
            self.stats.checked_days += 1
        self.stats.notices = len(self.rows(select(orm.notices.c.id)))
        self.stats.mails = len(self.settings.kept.sent)
        for storage in (self.storage, *self.schedulers):
            storage.clock_lock.release()
            storage.engine.dispose()
        return self.stats

    def live(self, day: date) -> None:
        self.at(day, 8, 30)
        if self.down_until is not None and day >= self.down_until:
            self.down_until = None
        if self.down_until is None and self.rng.random() < self.chances.scheduler_down:
            self.down_until = day + timedelta(days=self.rng.randint(2, 7))
        self.sweep()
        self.at(day, 9)
        if day == START or self.rng.random() < self.chances.plan:
            self.import_plan(day)
        self.set_dates(day)
        self.change_office_days(day)
        self.decide_extensions()
        self.act(day)
        self.at(day, 17)
        self.sweep()
        if self.down_until is not None:
            self.stats.days_down += 1

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        self.clock.at = datetime.combine(day, time(hour, minute), OFFICE_TZ)

    def tick(self) -> None:
        """Each action a minute after the last: an audit trail in the order things happened."""
        self.clock.at += timedelta(minutes=1)
        if self.rng.random() < self.chances.restart:
            self.storage.engine.dispose()
            self.storage = _quick(Storage(self.url))  # a new engine and an empty spec cache
            self.stats.restarts += 1

    def uow(self):
        return self.storage.uow()

    def rows(self, query) -> list:
        """A plain read of the tables (what a person sees listed), first column."""
        with self.storage.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- the scheduler ---------------------------------------------------------------

    def sweep(self) -> None:
        if self.down_until is not None:
            return
        self.tick()
        for n, storage in enumerate(self.schedulers):
            if self.rng.random() < self.chances.scheduler_restart:
                storage.clock_lock.release()  # as the process's end would
                storage.engine.dispose()
                self.schedulers[n] = _quick(Storage(self.url))
                self.stats.scheduler_restarts += 1
        rounds = self.rounds()
        errors = sum(done.sweep.errors for done in rounds)
        self.stats.shared_rounds += sum(bool(done.sweep.instances or done.mail.sent) for done in rounds) > 1
        if errors:
            raise AssertionError(f"the sweep failed on {errors} instances")
        self.swept_at = self.clock.now()
        self.stats.sweeps += 1

    def rounds(self) -> list[scheduling.Round]:
        """Each running scheduler's round, in a random order: on PostgreSQL every one, at
        once, sharing the work through row locks; on SQLite the clock lock's holder alone."""
        running = [s for s in self.rng.sample(self.schedulers, len(self.schedulers)) if s.clock_lock.acquire()]
        run = partial(scheduling.run_once, settings=self.settings, clock=self.clock)
        if self.storage.engine.dialect.name != "postgresql":
            return list(map(run, running))
        with ThreadPoolExecutor(len(running)) as pool:
            return list(pool.map(run, running))

    # -- plans -----------------------------------------------------------------------

    def import_plan(self, day: date) -> None:
        rng = self.rng
        tasks = []
        for n in range(1, rng.randint(2, 4) + 1):
            lead = rng.choice(LEADS)
            helpers = rng.sample([u for u in HELPERS if u != lead], rng.randint(0, 2))
            if rng.random() < 0.15:
                due: list[str] = []  # "Theo Kế hoạch số ...": the monitor sets the date later
            else:
                first = day + timedelta(days=rng.randint(-25, 90))
                due = sorted({(first + timedelta(days=91 * k)).isoformat() for k in range(rng.randint(1, 3))})
                self.stats.late_imports += first < day
            tasks.append(model.PlanTask.with_units(
                ref=str(n), title=f"Nhiệm vụ {n} của kế hoạch ngày {day:%d/%m}",
                lead=[self.units[lead]], coordinators=[self.units[u] for u in helpers],
                director_user_id=self.users[rng.choice(LEADERS)] if rng.random() < 0.8 else None,
                schedule={"kind": "once" if due else "unresolved", "due": due, "every": None, "until": None},
            ))
        self.tick()
        plan = model.Plan(title=f"Kế hoạch cải cách hành chính ngày {day:%d/%m/%Y}", year=day.year,
                          number=f"{self.stats.plans + 1}/KH-SIM", issued_on=day, monitor_unit_id=self.monitor_unit())
        plan_id = intake.create_plan(self.uow(), plan, tasks, clock=self.clock)
        self.stats.plans += 1
        with self.uow() as uow:
            for task in uow.tasks.for_plan(plan_id):
                kind = rng.choices(("on_time", "late", "never"), weights=(6, 3, 1))[0]
                self.persona[task.id] = (kind, rng.randint(0, 8))

    def monitor_unit(self) -> int:
        with self.uow() as uow:
            return uow.users.get(self.users["theodoi"]).unit_id

    def set_dates(self, day: date) -> None:
        for row in task_dates.waiting_tasks(self.uow()):
            if self.rng.random() < self.chances.date_set:
                self.tick()
                due = day + timedelta(days=self.rng.randint(-15, 40))  # sometimes already past
                task_dates.set_task_due(self.uow(), row["id"], self.users["theodoi"], due.isoformat(),
                                        clock=self.clock)
                self.stats.dates_set += 1

    def change_office_days(self, day: date) -> None:
        rng = self.rng
        if rng.random() < self.chances.office_day_added:
            self.tick()
            off = day + timedelta(days=rng.randint(-10, 40))
            try:
                office_days.add_day(self.uow(), self.users["chanhvp"], off.isoformat(), "off", "Nghỉ theo lịch cơ quan",
                                    clock=self.clock)
                self.stats.office_days += 1
            except PlanflowError:
                pass  # a weekend, a holiday or a day already set: refused, as a person would be
        if rng.random() < self.chances.office_day_removed:
            with self.uow() as uow:
                rows = uow.office_days.list()
            if rows:
                self.tick()
                office_days.remove_day(self.uow(), self.users["chanhvp"], rng.choice(rows).id, clock=self.clock)
                self.stats.office_days += 1

    # -- people ----------------------------------------------------------------------

    def act(self, day: date) -> None:
        for item_id in self.rows(select(orm.work_items.c.id).where(orm.work_items.c.state == "ready")
                                 .order_by(orm.work_items.c.id)):
            with self.uow() as uow:
                item = uow.work_items.get(item_id)
                if item.state != "ready":
                    continue
                if self.acts_today(item, day):
                    self.complete(uow, item)
                elif item.form in ("report",) and item.due_on and self.rng.random() < self.chances.extension_asked:
                    self.ask_extension(uow, item)

    def acts_today(self, item: model.WorkItem, day: date) -> bool:
        kind, days = self.persona.get(item.plan_task_id, ("on_time", 0))
        if item.form == "review":
            return self.rng.random() < 0.5  # the monitor reads within a few days
        if kind == "never" and item.form != "contribute":
            return False
        if item.due_on is None:
            return self.rng.random() < 0.05
        when = item.due_on - timedelta(days=days) if kind == "on_time" else item.due_on + timedelta(days=days + 1)
        return day >= when and self.rng.random() < 0.7

    def complete(self, uow, item: model.WorkItem) -> None:
        user_id = self.someone_holding(uow, item)
        fields: dict = {}
        upload = None
        if item.form == "assign":
            people = [u for u in by_id(uow.users.in_unit(item.candidate_unit_id)) if u.role in ("staff", "unit_head")]
            fields = {"assignee": self.rng.choice(people).id}
        elif item.form == "contribute":
            fields = {"contribution": f"Góp ý của đơn vị {item.candidate_unit_id}"}
        elif item.form == "report":
            fields = {"result": f"Kết quả kỳ hạn {item.due_on}"}
            upload = Upload("bao-cao.txt", "text/plain", f"báo cáo {item.id}".encode())
        elif item.form == "review":
            returned = self.rng.random() < self.chances.returned
            fields = {"decision": "return" if returned else "accept", "comment": "Bổ sung số liệu" if returned else ""}
        self.tick()
        steps.complete_step(self.uow(), item.id, user_id, fields, upload, clock=self.clock)
        self.stats.steps += 1

    def someone_holding(self, uow, item: model.WorkItem) -> int:
        if item.claimed_by or item.assignee_user_id:
            return item.claimed_by or item.assignee_user_id
        people = (uow.users.in_unit(item.candidate_unit_id, item.candidate_role) if item.candidate_unit_id
                  else uow.users.with_role(item.candidate_role))
        return by_id(people)[0].id

    def ask_extension(self, uow, item: model.WorkItem) -> None:
        if uow.extensions.pending_for_item(item.id):
            return
        self.tick()
        new_due = item.due_on + timedelta(days=self.rng.randint(5, 25))
        extension_requests.request_extension(self.uow(), item.id, self.someone_holding(uow, item), new_due.isoformat(),
                                             "Chờ số liệu", clock=self.clock)
        self.stats.extensions += 1

    def decide_extensions(self) -> None:
        x = orm.extension_requests
        with self.uow() as uow:
            people = [uow.users.get(uid) for uid in self.users.values()]
            rows = [uow.extensions.get(i) for i in self.rows(select(x.c.id).where(x.c.state == "pending").order_by(x.c.id))]
            pending = [(row["id"], next(p.id for p in people if extension_requests.may_decide(p, row))) for row in rows]
        for request_id, approver in pending:
            if self.rng.random() < self.chances.extension_decided:
                self.tick()
                try:
                    extension_requests.decide_extension(self.uow(), request_id, approver, self.rng.random() < 0.6,
                                                        "", clock=self.clock)
                except PlanflowError:
                    pass  # the step was completed first: the request lapsed
