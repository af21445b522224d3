"""The `planflow` command: one entry point for operators and the set-up scripts."""
from __future__ import annotations

from pathlib import Path

import click

from adapters.storage import Storage


def _storage() -> Storage:
    """The storage the web app would use: same configuration, same database."""
    from web.app import create_app

    return create_app().extensions["planflow"]


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
def plan_import(file: Path, dry_run: bool, as_json: bool) -> None:
    """Read a plan file (.docx, .md, .txt) into tasks."""
    from adapters.importers import UnreadableFile, read_blocks
    from engine.importing import NoTaskFound, UnitDirectory, parse_blocks

    try:
        result = parse_blocks(read_blocks(file), UnitDirectory.default())
    except (UnreadableFile, NoTaskFound) as error:
        click.echo(f"Lỗi: {error}", err=True)
        raise SystemExit(1) from None
    if not dry_run:
        click.echo("Lưu kế hoạch cần cơ sở dữ liệu, chức năng này chưa sẵn sàng: hãy dùng --dry-run.", err=True)
        raise SystemExit(2)
    output = result.to_json() if as_json else _import_summary(result)
    click.echo(output.encode("utf-8"))  # bytes: UTF-8 whatever the terminal's locale


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
    storage = _storage()
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
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve planflow (the embedded default: one process, threads)."""
    from werkzeug.serving import run_simple

    from web.app import create_app

    from web.scheduling import start_background

    app = create_app()
    start_background(app.extensions["planflow"])  # the embedded clock: timers and mail
    click.echo(f"planflow is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="Run one sweep and one pass over the mail outbox, then exit.")
@click.option("--interval", type=int, default=None, help="Seconds between runs (PLANFLOW_SCHEDULER_INTERVAL, 60).")
def scheduler(once: bool, interval: int | None) -> None:
    """A scheduler worker: fires due timers and sends notice mail (run several to scale out)."""
    from web.scheduling import mailer_from_env, run_blocking, run_once

    storage = _storage()
    if once:
        click.echo(str(run_once(storage, mailer_from_env())))
        return
    click.echo("planflow scheduler running (Ctrl+C to stop)")
    run_blocking(storage, interval)
