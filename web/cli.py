"""The `planflow` command: one entry point for operators and the set-up scripts."""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from adapters.storage import Storage
from engine.errors import N_


def _storage(ready: bool = True) -> Storage:
    """The storage the web app would use: same configuration, same database; unless
    `ready` is False (`db upgrade` itself), one that is migrated, or exit 1 saying how."""
    from web.app import create_app

    storage = create_app().extensions["planflow"]
    if ready:
        _require_schema(storage)
    return storage


def _require_schema(storage: Storage) -> None:
    from adapters.storage import SchemaNotReady

    try:
        storage.require_schema()
    except SchemaNotReady:
        _fail(N_("The database is not set up, or is older than this planflow: run “planflow db upgrade” first."))


@click.group()
def main() -> None:
    """planflow: run the tasks of government plans to the end."""


@main.group()
def plan() -> None:
    """Plans: import and inspect."""


@plan.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and show the plan; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--as", "username", default=None, help="Import as this monitor (default: the first monitor).")
def plan_import(file: Path, dry_run: bool, as_json: bool, username: str | None) -> None:
    """Read a plan file (.docx, .md, .txt, .pdf, a scanned .png/.jpg/.tif) into tasks; without --dry-run, store the
    plan, create its new units and start its tasks (one transaction)."""
    if not dry_run:
        _store_plan(file, username)
        return
    from adapters.readers import read_source
    from adapters.storage import SchemaNotReady
    from engine.importing import plan_import
    from engine.importing.errors import PlanFileError
    from web.i18n import cli_gettext

    # The configured database's unit directory, as a real import reads it: a database
    # not set up yet is a new office, with no units (said on stderr, not in the JSON).
    storage = _storage(ready=False)
    try:
        storage.require_schema()
        uow = storage.uow()
    except SchemaNotReady:
        uow = None
        click.echo(cli_gettext(N_("The database is not set up: the plan is read with no known units, "
                                  "as a new office would.")), err=True)
    try:
        result = plan_import.read_plan(uow, file, file.name, read_source)
    except PlanFileError as error:
        _fail(error.msgid, **error.params)
    output = result.to_json() if as_json else _import_summary(result)
    click.echo(output.encode("utf-8"))  # bytes: UTF-8 whatever the terminal's locale


def _store_plan(file: Path, username: str | None) -> None:
    """Import against the stored unit directory, as a monitor; Vietnamese on the terminal."""
    from adapters.readers import read_source
    from engine.clock import SystemClock
    from engine.errors import InvalidInput, PlanflowError
    from engine.importing import plan_import
    from engine.importing.errors import PlanFileError
    from web.i18n import cli_gettext as t

    storage = _storage()
    try:
        user = plan_import.importing_user(storage.uow(), username)
        draft = plan_import.confirm_everything(plan_import.preview(storage.uow(), file, file.name, user.id, read_source))
        plan_id = plan_import.confirm(storage.uow(), draft.to_dict(), user.id, SystemClock())
    except PlanFileError as error:
        _fail(error.msgid, **error.params)
    except InvalidInput as error:
        details = "; ".join(f"{field}: {t(message)}" for field, message in error.errors.items())
        _fail(N_("The plan was not stored: %(details)s"), details=details)
    except PlanflowError as error:
        _fail(error.message or N_("The plan was not stored."))
    for name in plan_import.created_unit_names(draft):
        click.echo(t(N_("New unit created: %(name)s"), name=name).encode("utf-8"))
    waiting = sum(1 for task in draft.tasks if task["schedule"].get("kind") == "unresolved")
    click.echo(t(N_("Plan %(number)s stored (id %(id)s): %(count)s tasks started."),
                 number=draft.plan.get("number") or "", id=plan_id, count=len(draft.tasks)).encode("utf-8"))
    if waiting:
        click.echo(t(N_("%(count)s tasks wait for a date: set it on the plan's page."), count=waiting).encode("utf-8"))


def _fail(msgid: str, **params: object) -> NoReturn:
    """A message on stderr in Vietnamese (through the catalogue), exit status 1."""
    from web.i18n import cli_gettext

    click.echo(cli_gettext(N_("Error: %(message)s"), message=cli_gettext(msgid, **params)), err=True)
    raise SystemExit(1)


def _import_summary(result) -> str:
    lines = [f"Kế hoạch {result.plan.number or '(không số)'} năm {result.plan.year}: {len(result.tasks)} nhiệm vụ"]
    for task in result.tasks:
        lead = ", ".join(u.name for u in task.lead) or "?"
        lines.append(f"  {task.ref:6} {task.title[:60]:60}  {lead[:40]:40}  {task.schedule.kind}")
    return "\n".join(lines + [f"! {w}" for w in result.warnings])


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    storage = _storage(ready=False)
    storage.upgrade()
    click.echo(f"Schema up to date: {storage.engine.url.render_as_string(hide_password=True)}")


@main.group()
def demo() -> None:
    """The demo office, its people and plans."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo data into an empty database (does nothing if it is loaded)."""
    from adapters.demo import DEMO_PASSWORD, load_demo
    from engine.clock import SystemClock

    storage = _storage()
    if load_demo(storage.uow, SystemClock()):
        click.echo(f"Demo loaded. Password for every demo user: {DEMO_PASSWORD}")
    else:
        click.echo("Demo data already present; nothing loaded.")


@main.command()
@click.option("--dry-run", is_flag=True, help="Find and report stalled instances; change nothing.")
def repair(dry_run: bool) -> None:
    """Find tasks stalled after a step finished in another process, and move them on."""
    from engine.process.repair import repair_stalled
    from web.i18n import cli_gettext as t

    found = repair_stalled(_storage().uow, dry_run=dry_run)
    for item in found:
        for stalled in item.stalled:
            msgid = (N_("Instance %(instance)s (task %(ref)s): finished instance %(uuid)s of “%(step)s” merged.")
                     if stalled.merged else
                     N_("Instance %(instance)s (task %(ref)s): “%(step)s” moved on without finished instance "
                        "%(uuid)s; left as it is (its input is in the step's history)."))
            click.echo(t(msgid, instance=item.instance_id, ref=item.task_ref, uuid=stalled.instance_task_id,
                         step=stalled.loop_id).encode("utf-8"))
        if item.repaired:
            click.echo(t(N_("  ready now: %(steps)s; notices recorded: %(count)s"),
                         steps=", ".join(item.ready_after) or "-", count=item.notices).encode("utf-8"))
    repaired = sum(item.repaired for item in found)
    summary = (N_("Dry run: %(count)s stalled instances found, nothing changed.") if dry_run
               else N_("%(count)s stalled instances repaired."))
    click.echo(t(summary, count=repaired).encode("utf-8"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve planflow (the embedded default: one process, threads)."""
    from werkzeug.serving import run_simple

    from web.app import create_app
    from web.scheduling import start_background

    app = create_app()
    storage = app.extensions["planflow"]
    _require_schema(storage)
    if not storage.clock_lock.acquire():
        _say(N_("Another planflow process runs the clock (deadline timers and mail) on this SQLite database "
                "(lock file %(path)s). This server shows pages only, and takes the clock over when that process "
                "stops."),
             path=storage.clock_lock.path)
    start_background(storage, app.config["PLANFLOW_SETTINGS"])  # the embedded clock: timers and mail
    click.echo(f"planflow is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="Run one sweep and one pass over the mail outbox, then exit.")
@click.option("--interval", type=int, default=None, help="Seconds between runs (PLANFLOW_SCHEDULER_INTERVAL, 60).")
def scheduler(once: bool, interval: int | None) -> None:
    """A scheduler worker: fires due timers and sends notice mail (run several to scale out)."""
    from web.config import Settings
    from web.scheduling import run_blocking, run_once

    storage = _storage()
    settings = Settings.from_environ()
    if once:
        _wait_for_clock(storage)
        click.echo(str(run_once(storage, settings)))
        return
    if not storage.clock_lock.acquire():
        _fail(N_("Another planflow process (a scheduler, or “planflow serve”) already runs the clock on this "
                 "SQLite database (lock file %(path)s); a second one could send mail twice. Stop it first, or move to "
                 "PostgreSQL to run several schedulers."), path=storage.clock_lock.path)
    click.echo("planflow scheduler running (Ctrl+C to stop)")
    run_blocking(storage, settings, interval)


def _wait_for_clock(storage: Storage) -> None:
    """SQLite: wait (saying why) while another process runs the clock; then take it."""
    import time

    if storage.clock_lock.acquire():
        return
    _say(N_("Another planflow process runs the clock on this SQLite database (lock file %(path)s); "
            "waiting for it to finish, so that no mail is sent twice."), path=storage.clock_lock.path)
    while not storage.clock_lock.acquire():
        time.sleep(0.5)


def _say(msgid: str, **params: object) -> None:
    """A notice for the operator on stderr, in Vietnamese (through the catalogue)."""
    from web.i18n import cli_gettext

    click.echo(cli_gettext(msgid, **params), err=True)
