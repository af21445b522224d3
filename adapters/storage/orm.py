"""Tables, and the imperative mapping of the domain classes onto them.

Imperative mapping keeps `engine/model.py` free of SQLAlchemy (cosmicpython's
`orm.py`). Timestamps are stored as naive UTC.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary,
    MetaData, String, Table, Text, UniqueConstraint, literal_column, select, text,
)
from sqlalchemy.orm import configure_mappers, deferred, registry, relationship

from engine import model

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

def _partial(condition: str) -> dict[str, Any]:
    """An index's condition on both databases: it holds only the rows that meet it."""
    where = text(condition)
    return {"sqlite_where": where, "postgresql_where": where}


def _set(column: str) -> dict[str, Any]:
    """The condition of an index that holds only the rows with `column` set."""
    return _partial(f"{column} IS NOT NULL")


units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("aliases", JSON, nullable=False, default=list),
    Column("kind", String(16), nullable=False, default="unit"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("full_name", String(255), nullable=False),
    Column("email", String(255)),
    Column("unit_id", Integer, ForeignKey("units.id"), index=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("session_version", Integer, nullable=False, default=1, server_default="1"),
    # How the person gets notice mail: "each" (one mail per notice) or "digest" (one a day).
    Column("notice_mail", String(8), nullable=False, default="each", server_default="each"),
)

# Failed logins per username (lowercased), whether or not it exists: every worker
# reads the same count (engine/access/accounts.py).
login_attempts = Table(
    "login_attempts", metadata,
    Column("key", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
    Column("retry_at", DateTime),
)

plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(80)),
    Column("title", Text, nullable=False),
    Column("issued_on", Date),
    Column("year", Integer, nullable=False),
    Column("monitor_unit_id", Integer, ForeignKey("units.id")),
    Column("source_name", String(255)),
    Column("created_at", DateTime),
    Column("process_key", String(120), nullable=False, default="plan_task", server_default="plan_task"),
)

plan_tasks = Table(
    "plan_tasks", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("ref", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("content", Text, nullable=False, default=""),
    Column("product", Text, nullable=False, default=""),
    Column("director", String(255), nullable=False, default=""),
    Column("director_user_id", Integer, ForeignKey("users.id")),
    Column("deadline_text", Text, nullable=False, default=""),
    Column("schedule", JSON, nullable=False, default=dict),
    Column("due_on", Date),
    Column("status", String(16), nullable=False, default="open", index=True),
    Column("closed_on", Date),
    Column("search_text", Text, nullable=False, default="", server_default=""),
    Column("search_folded", Text, nullable=False, default="", server_default=""),
    Column("people", JSON),
    Column("process_key", String(120), nullable=False, default="plan_task", server_default="plan_task"),
    # A plan's tasks in plan order: a page of them reads its own rows (migration 0023).
    Index("ix_plan_tasks_plan_position", "plan_id", "position", "id"),
    # A plan's tasks due before or from a day: its overdue and in-progress pages (0029);
    # and its counts by dates and state, from the index alone (0030).
    Index("ix_plan_tasks_plan_due", "plan_id", "due_on", "closed_on", "status"),
    # A plan's open tasks (no closing date) by due date, then in plan order, with their
    # status: its page of the most overdue read in that order, up to the page's end (0038).
    Index("ix_plan_tasks_open_due", "plan_id", "due_on", "position", "id", "status", **_partial("closed_on IS NULL")),
    # The tasks a person directs, for a reader's scope (0036): of those with a director only.
    Index("ix_plan_tasks_director", "director_user_id", "id", **_set("director_user_id")),
    # A task's status and dates by its id: on SQLite a search narrowed by state tests each
    # match's state from this short entry, not from the task's long row (its words twice),
    # read from the file at each match (0043); on both, a state of few tasks has its ids
    # read from it, in id order, before its matches (`ProgressQueries._state_first`, 0045);
    # with its plan and position, a person page's tasks are looked up, counted and ordered
    # here, not in their rows (0049).
    Index("ix_plan_tasks_state", "id", "status", "due_on", "closed_on", "plan_id", "position"),
)

task_units = Table(
    "task_units", metadata,
    Column("id", Integer, primary_key=True),
    Column("task_id", Integer, ForeignKey("plan_tasks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    # A task's rows of one unit, as the count and list triggers look them up (0027).
    Index("ix_task_units_task_unit", "task_id", "unit_id"),
)

# The people each task's assignment named (`plan_tasks.people`), one row a person and kind,
# kept equal to it by triggers on `plan_tasks` (migration 0035; the code never writes it):
# the tasks naming a person read through an index, not by a match on every task's JSON.
task_people = Table(
    "task_people", metadata,
    Column("task_id", Integer, ForeignKey("plan_tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # "co_handlers" or "informed"
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Index("ix_task_people_user", "user_id", "task_id"),
)

process_versions = Table(
    "process_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("process_key", String(80), nullable=False),
    Column("number", Integer, nullable=False),
    Column("bpmn_xml", Text, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_by", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime),
    Column("is_live", Boolean, nullable=False, default=False),
    UniqueConstraint("process_key", "number", name="uq_process_versions_key_number"),
)

process_instances = Table(
    "process_instances", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("process_version_id", Integer, ForeignKey("process_versions.id"), nullable=False, index=True),
    Column("state", Text, nullable=False),
    Column("serializer_version", String(40), nullable=False),  # SpiffWorkflow's format
    Column("state_version", String(40), nullable=False, default="planflow-1"),  # planflow's own layout
    Column("status", String(16), nullable=False, default="running"),
    # The scheduler's sweep reads only rows whose time has come, through this index.
    Column("next_timer_at", DateTime, index=True),
    Column("started_at", DateTime),
    Column("updated_at", DateTime),
    Column("version", Integer, nullable=False, default=1),
)

# A designer's acts on a process as a whole (a deploy, a migration batch): who, when,
# from which version to which, and the results. Per-task moves stay in audit_events.
process_events = Table(
    "process_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("process_key", String(120), nullable=False, index=True),
    Column("action", String(40), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id")),
    Column("from_version_id", Integer, ForeignKey("process_versions.id")),
    Column("to_version_id", Integer, ForeignKey("process_versions.id")),
    Column("detail", JSON, nullable=False, default=dict),
)

def _ready_with(holder: str) -> dict[str, Any]:
    """The condition of an inbox index of `work_items`: ready steps whose `holder` column is set."""
    return _partial(f"state = 'ready' AND {holder} IS NOT NULL")


work_items = Table(
    "work_items", metadata,
    Column("id", Integer, primary_key=True),
    # (looked up by instance through `uq_work_items_instance_task`, which it leads: migration 0033)
    Column("instance_id", Integer, ForeignKey("process_instances.id"), nullable=False),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("task_uuid", String(36), nullable=False),
    Column("step_id", String(120), nullable=False),
    Column("step_name", String(255), nullable=False),
    Column("form", String(40), nullable=False),
    Column("actor", String(40), nullable=False),
    Column("assignee_user_id", Integer, ForeignKey("users.id")),
    Column("candidate_unit_id", Integer, ForeignKey("units.id")),
    Column("candidate_role", String(16)),
    Column("due_on", Date),
    Column("state", String(16), nullable=False, default="ready"),
    Column("created_at", DateTime),
    Column("completed_at", DateTime),
    Column("completed_by", Integer, ForeignKey("users.id")),
    Column("claimed_by", Integer, ForeignKey("users.id", name="fk_work_items_claimed_by_users")),
    Column("claimed_at", DateTime),
    # Its task's plan, copied and kept right by triggers (migration 0028): a holder's
    # steps of one plan are one range of the `_plan` indexes. Not the domain object's.
    Column("plan_id", Integer, info={"kept_by_database": True}),
    UniqueConstraint("instance_id", "task_uuid", name="uq_work_items_instance_task"),
    # Each index ends in the inbox's order (due date, then id), so that a page of a
    # large inbox is read in order from each of them and no row past the page is sorted.
    # Each holds only the rows the inbox reads through it (migration 0033): ready steps
    # with a holder of its kind. A completed step leaves them (on PostgreSQL its new row
    # version enters none), a new one enters only its holder's. A query reads them only
    # with the literal `state = 'ready'` (`ready`) and a comparison on the holder column
    # in its WHERE: neither database proves the index's condition from a bound value
    # (SQLite only by preparing the statement again for each; PostgreSQL not in the
    # generic plan of a prepared statement).
    Index("ix_work_items_user_ready", "assignee_user_id", "due_on", "id", **_ready_with("assignee_user_id")),
    Index("ix_work_items_unit_ready", "candidate_unit_id", "candidate_role", "due_on", "id",
          **_ready_with("candidate_role")),
    Index("ix_work_items_claimed_ready", "claimed_by", "due_on", "id", **_ready_with("claimed_by")),
    Index("ix_work_items_unit_received", "candidate_unit_id", "candidate_role", "created_at", "id",
          **_ready_with("candidate_role")),
    Index("ix_work_items_user_plan", "assignee_user_id", "plan_id", "due_on", "id", **_ready_with("assignee_user_id")),
    Index("ix_work_items_unit_plan", "candidate_unit_id", "candidate_role", "plan_id", "due_on", "id",
          **_ready_with("candidate_role")),
    Index("ix_work_items_claimed_plan", "claimed_by", "plan_id", "due_on", "id", **_ready_with("claimed_by")),
    # The tasks a person took part in, whatever the steps' state (migration 0034): the
    # person page and a reader's search ask `assignee_user_id = u OR completed_by = u`,
    # one index for each side of the OR, each holding only the rows with its column set.
    Index("ix_work_items_assignee_tasks", "assignee_user_id", "plan_task_id", **_set("assignee_user_id")),
    Index("ix_work_items_completed_by_tasks", "completed_by", "plan_task_id", **_set("completed_by")),
)


def _holder_columns() -> list[Column]:
    """Whose inbox a count is of: a person (`holder_user_id`, unit 0, role ""), or a
    unit's role for the steps nobody holds (user 0, the unit or 0 for none, the role)."""
    return [Column("holder_user_id", Integer, nullable=False), Column("holder_unit_id", Integer, nullable=False),
            Column("holder_role", String(16), nullable=False)]


# The inbox's counts, kept by triggers on `work_items` in the transaction that changes a
# ready step (migration 0019): each change adds a row of +1 or -1 for each inbox the
# step enters or leaves; `compact_inbox_counts` folds them into one row per key. A count
# is the sum of a holder's rows: as many rows as steps of the process and dates, not as
# ready steps.
inbox_counts = Table(
    "inbox_counts", metadata,
    Column("id", Integer, primary_key=True),
    *_holder_columns(),
    Column("step_id", String(120), nullable=False),
    Column("due_on", Date),
    Column("n", Integer, nullable=False),
    # Each holds every column the inbox's reads take (migration 0046): on SQLite a person's
    # holders' counts, plans and steps are summed from the index alone; a holder's rows by
    # due date (0047), each of the inbox's date ranges (overdue, soon, undated) one range.
    Index("ix_inbox_counts_holder", "holder_user_id", "holder_unit_id", "holder_role", "due_on", "step_id", "n"),
)

# A unit's tasks counted by (led by it or only coordinated, plan, status, due date,
# closing date), kept by triggers on `task_units` and `plan_tasks` as `inbox_counts` is
# (migration 0021): the unit page's counts on any day and its plans, without its tasks.
def _unit_task_columns() -> list[Column]:
    """What a unit's tables (`unit_task_counts`, `unit_tasks`) keep of a task of the unit:
    whether the unit leads it (1) or only coordinates it (0), and the task's plan, status
    and dates, copied by their triggers. New columns at each call: a column belongs to one
    table."""
    return [Column("lead", Integer, nullable=False), Column("plan_id", Integer, nullable=False),
            Column("status", String(16), nullable=False), Column("due_on", Date), Column("closed_on", Date)]


unit_task_counts = Table(
    "unit_task_counts", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, nullable=False),
    *_unit_task_columns(),
    Column("n", Integer, nullable=False),
    # Each holds every column its reads take (migration 0042): a unit's groups by plan (the
    # unit page), a plan's lead groups (the dashboard), read from the index alone.
    Index("ix_unit_task_counts_unit", "unit_id", "plan_id", "lead", "status", "due_on", "closed_on", "n"),
    Index("ix_unit_task_counts_plan", "plan_id", "lead", "unit_id", "status", "due_on", "closed_on", "n"),
)

# A plan's tasks counted by (due date, closing date, status), kept by triggers on
# `plan_tasks` as `unit_task_counts` is (migration 0048): a plan's counts by state on any
# day and by the months of its dates (the dashboard) summed from its groups, not its tasks.
plan_task_counts = Table(
    "plan_task_counts", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, nullable=False),
    Column("due_on", Date),
    Column("closed_on", Date),
    Column("status", String(16), nullable=False),
    Column("n", Integer, nullable=False),
    # Every column the dashboard reads, in the order of the fold's key: read from the index alone.
    Index("ix_plan_task_counts_plan", "plan_id", "due_on", "closed_on", "status", "n"),
)

# A unit's tasks (one row per unit and task, led by it or only coordinated) with the task's
# plan, position, status and dates copied, kept by triggers on `task_units` and
# `plan_tasks` (migration 0022): the unit page reads its list a group at a time in the
# order of `ix_unit_tasks_order` (`sort_group`: 0 open, 1 waiting for a date, 2 closed,
# 3 a closing date on a task not closed), never sorting all of the unit's tasks.
unit_tasks = Table(
    "unit_tasks", metadata,
    Column("unit_id", Integer, primary_key=True),
    Column("task_id", Integer, primary_key=True),
    *_unit_task_columns(),
    Column("position", Integer, nullable=False),
    Column("sort_group", Integer, nullable=False),
    Index("ix_unit_tasks_order", "unit_id", "sort_group", "due_on", "plan_id", "position", "task_id"),
    Index("ix_unit_tasks_plan_order", "unit_id", "plan_id", "sort_group", "due_on", "position", "task_id"),
    Index("ix_unit_tasks_closed", "unit_id", "sort_group", "closed_on"),
    Index("ix_unit_tasks_task", "task_id"),
)

# The same for the inbox's filter choices: the plans and steps a holder's ready steps are of.
inbox_choices = Table(
    "inbox_choices", metadata,
    Column("id", Integer, primary_key=True),
    *_holder_columns(),
    Column("plan_id", Integer, nullable=False),
    Column("step_id", String(120), nullable=False),
    Column("step_name", String(255), nullable=False),
    Column("n", Integer, nullable=False),
    Index("ix_inbox_choices_holder", "holder_user_id", "holder_unit_id", "holder_role", "plan_id", "step_id",
          "step_name", "n"),
)

# The audit lines of notices, as `ix_audit_events_notices` holds them.
NOTICE_ACTIONS = "action LIKE 'notice%' ESCAPE '/'"

audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("process_instances.id")),
    Column("work_item_id", Integer, ForeignKey("work_items.id")),
    Column("at", DateTime, nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id")),
    Column("action", String(40), nullable=False),
    Column("step_id", String(120)),
    Column("step_name", String(255)),
    Column("detail", JSON, nullable=False, default=dict),
    # A task's notices (`engine.deadlines.notices`: action notice_<rung>), those alone: a
    # page's details read them under this very condition (`reads.page_details.told`), where
    # each of the page's tasks' audit lines was read and tested (migration 0039).
    Index("ix_audit_events_notices", "plan_task_id", **_partial(NOTICE_ACTIONS)),
)

attachments = Table(
    "attachments", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("work_item_id", Integer, ForeignKey("work_items.id")),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", Integer, ForeignKey("users.id")),
)

office_days = Table(
    "office_days", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("created_by", Integer, ForeignKey("users.id")),  # who added it (engine/office_calendar.py)
    Column("created_at", DateTime),
)

# Raised by a trigger on every change of `office_days` (migration 0018): a process keeps
# the calendar it built while this number stays the same.
change_counters = Table(
    "change_counters", metadata,
    Column("name", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
)

# The office days' version, built once (a read's fixed cost is mostly building its
# statements): reads take it with their rows, in the same round trip, for the calendar
# they build (`CalendarCache`).
OFFICE_DAYS_VERSION = (select(change_counters.c.version)
                       .where(change_counters.c.name == "office_days").scalar_subquery())


def _outbox_columns() -> list[Column]:
    """A person's row that may go out by mail (`notices`, `arrivals`): read or not, the
    mail, its state (none|pending|sent|failed, and "digest" for arrivals), its retries,
    and its lease: who is sending it, and until when nobody else may. New Column objects
    each call: a column belongs to one table."""
    return [
        Column("read_at", DateTime),
        Column("subject", Text, nullable=False, default=""),
        Column("body", Text, nullable=False, default=""),
        Column("email_to", String(255)),
        Column("email_state", String(16), nullable=False, default="none"),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        Column("next_attempt_at", DateTime),
        Column("sent_at", DateTime),
        Column("mail_claimed_by", String(120)),
        Column("mail_lease_until", DateTime),
    ]


# Deadline notices (engine/notices.py): one row per (step, rung, deadline, recipient),
# and its e-mail outbox state. `key` is unique so that a re-armed timer or a second
# scheduler worker inserting the same notice does nothing.
notices = Table(
    "notices", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("process_instances.id")),
    Column("step_task_id", String(36)),
    Column("step_id", String(120)),
    Column("step_name", String(255)),
    Column("rung", String(16), nullable=False),
    Column("due", Date),
    Column("days_late", Integer),
    Column("recipient_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    *_outbox_columns(),
    Index("ix_notices_recipient_read", "recipient_user_id", "read_at"),
    Index("ix_notices_outbox", "email_state", "next_attempt_at"),
)

# Incidents (engine/incidents.py): a step or timer whose workflow failed; at most one
# open per instance (the code keeps it so), kept after it is resolved.
incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("process_instances.id"), nullable=False, index=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False),
    Column("source", String(16), nullable=False),  # step|timer|load
    Column("element", String(120)),
    Column("error", Text, nullable=False),
    Column("state", String(16), nullable=False, default="open"),  # open|resolved
    Column("attempts", Integer, nullable=False, default=1),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("work_item_id", Integer, ForeignKey("work_items.id")),  # a step's: what to retry
    Column("user_id", Integer, ForeignKey("users.id")),  # ... as whom
    Column("data", JSON),  # ... with what input
    Column("resolved_at", DateTime),
    Column("resolved_by", Integer, ForeignKey("users.id")),
    Index("ix_incidents_state", "state"),
)

# Work arrivals (engine/tasks/arrivals.py): one row per (event, recipient), `key` unique so
# that a retried transaction tells nobody twice; the same e-mail outbox columns as
# `notices` (with the mail's lease), plus "digest" (held for the person's daily mail).
arrivals = Table(
    "arrivals", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False),
    Column("work_item_id", Integer, ForeignKey("work_items.id")),
    Column("extension_request_id", Integer, ForeignKey("extension_requests.id")),
    Column("step_name", String(255)),
    Column("due", Date),
    Column("recipient_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    *_outbox_columns(),
    Index("ix_arrivals_recipient_read", "recipient_user_id", "read_at"),
    Index("ix_arrivals_outbox", "email_state", "next_attempt_at"),
)

# Extension requests (xin gia hạn): asked by a step's holder, decided by its approver.
extension_requests = Table(
    "extension_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_task_id", Integer, ForeignKey("plan_tasks.id"), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("process_instances.id"), nullable=False),
    Column("work_item_id", Integer, ForeignKey("work_items.id"), nullable=False, index=True),
    Column("step_task_id", String(36), nullable=False),
    Column("step_id", String(120), nullable=False),
    Column("step_name", String(255), nullable=False),
    Column("requested_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("old_due", Date),
    Column("new_due", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("approver_user_id", Integer, ForeignKey("users.id")),
    Column("approver_unit_id", Integer, ForeignKey("units.id")),
    Column("approver_role", String(16)),
    Column("state", String(16), nullable=False, default="pending"),  # pending|accepted|refused|lapsed
    Column("decided_by", Integer, ForeignKey("users.id")),
    Column("decided_at", DateTime),
    Column("comment", Text, nullable=False, default=""),
    Index("ix_extension_requests_user_pending", "state", "approver_user_id"),
    Index("ix_extension_requests_unit_pending", "state", "approver_unit_id", "approver_role"),
)

# Background jobs (engine/jobs.py): long work done in chunks by the scheduler's
# process, each chunk a short transaction that also records the progress.
jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("state", String(16), nullable=False, default="queued"),  # queued|running|done|failed
    Column("created_by", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("claimed_until", DateTime),  # a worker's lease: past it, another may resume the job
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("params", JSON, nullable=False, default=dict),  # small: what the page shows (a plan id)
    Column("payload", JSON, nullable=False, default=dict),  # the work's input, read by the worker only
    Column("error", Text),
    Column("file_name", String(255)),  # what the job made, if a file (a report): downloaded from its page
    Column("file_data", LargeBinary),
    Index("ix_jobs_state_claimed", "state", "claimed_until"),
)

def ready(items: Any) -> Any:
    """`state = 'ready'` of work items (`items`, the table or an alias of it), the state
    written into the statement: bound, SQLite prepares the statement again for each value,
    to see whether it meets a partial index's condition (the inbox indexes', migration
    0033), and PostgreSQL's generic plan of a prepared statement cannot use them."""
    return items.c.state == literal_column("'ready'", String)


def written(table: Table) -> list[Column]:
    """The columns of `table` its domain objects hold and the code writes: not the
    copies the database keeps by itself (`kept_by_database`)."""
    return [c for c in table.c if not c.info.get("kept_by_database")]


mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    if getattr(start_mappers, "done", False):
        return
    reg = mapper_registry
    reg.map_imperatively(model.Unit, units)
    reg.map_imperatively(model.User, users)
    reg.map_imperatively(model.Plan, plans)
    reg.map_imperatively(model.TaskUnit, task_units)
    reg.map_imperatively(model.PlanTask, plan_tasks, properties={
        "units": relationship(model.TaskUnit, cascade="all, delete-orphan",
                              order_by=task_units.c.position, lazy="selectin"),
    })
    reg.map_imperatively(model.DeclaredDay, office_days)
    reg.map_imperatively(model.ProcessVersion, process_versions)
    reg.map_imperatively(model.ProcessInstance, process_instances,
                         version_id_col=process_instances.c.version)
    reg.map_imperatively(model.WorkItem, work_items,
                         exclude_properties=[c.name for c in work_items.c if c not in written(work_items)])
    reg.map_imperatively(model.AuditEvent, audit_events)
    reg.map_imperatively(model.Attachment, attachments, properties={
        # The file's bytes are read only when downloaded, never for a list.
        "data": deferred(attachments.c.data),
    })
    # Now, not at the first ORM query: the write paths build their objects without one.
    configure_mappers()
    start_mappers.done = True
